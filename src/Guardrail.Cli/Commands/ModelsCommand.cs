using Guardrail.Contracts.V1;
using Guardrail.Rpc.Client;
using Guardrail.Rpc.Methods;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl models list | isolate | restore | shadow: the model registry (operator key).</summary>
public static class ModelsCommand
{
    public static readonly IReadOnlySet<string> Flags = new HashSet<string> { "json" };

    public static async Task<int> RunAsync(GrpcClient client, CommandArgs args)
    {
        var sub = AdminOutput.Subcommand(args, "models", "list", "isolate", "restore", "shadow");
        if (sub == "list")
        {
            args.OnlyAllow("kind", "json");
            var kind = args.Value("kind") switch
            {
                null => ModelKind.Unspecified,
                "detector" => ModelKind.Detector,
                "target" => ModelKind.Target,
                var other => throw new UsageException($"--kind must be detector or target (was '{other}')"),
            };
            var list = await client.CallAsync(AdminMethods.ListModels, new ListModelsRequest { Kind = kind }, AdminOutput.Call());
            if (args.Flag("json"))
            {
                AdminOutput.PrintJson(list);
                return 0;
            }

            Table.Print(["KIND", "MODEL", "STATUS", "FALLBACK", "CHANGED", "BY", "REASON"], list.Models.Select(m => new[]
            {
                AdminOutput.Name(m.Kind), m.Id, AdminOutput.Name(m.Status), m.Fallback.Length > 0 ? m.Fallback : "-",
                AdminOutput.Time(m.ChangedAtMs), m.Actor, m.Reason,
            }));
            Console.WriteLine($"revision {list.Revision} (gateway {list.Node} applies {list.AppliedRevision})");
            return 0;
        }

        args.OnlyAllow("detector", "target", "reason", "fallback", "json");
        var model = (args.Value("detector"), args.Value("target")) switch
        {
            ({ } detector, null) => new ModelRef { Kind = ModelKind.Detector, Id = detector },
            (null, { } target) => new ModelRef { Kind = ModelKind.Target, Id = target },
            _ => throw new UsageException($"models {sub} needs exactly one of --detector MODEL@VERSION or --target MODEL_ID"),
        };
        var reason = args.Value("reason") ?? string.Empty;
        if (sub != "isolate" && args.Value("fallback") is not null)
        {
            throw new UsageException("--fallback goes with models isolate");
        }

        var entry = sub switch
        {
            "isolate" => await client.CallAsync(AdminMethods.IsolateModel, new IsolateModelRequest { Model = model, Reason = reason, Fallback = args.Value("fallback") ?? string.Empty }, AdminOutput.Call()),
            "restore" => await client.CallAsync(AdminMethods.RestoreModel, new ModelChangeRequest { Model = model, Reason = reason }, AdminOutput.Call()),
            _ => await client.CallAsync(AdminMethods.ShadowModel, new ModelChangeRequest { Model = model, Reason = reason }, AdminOutput.Call()),
        };
        if (args.Flag("json"))
        {
            AdminOutput.PrintJson(entry);
        }
        else
        {
            Console.WriteLine($"{entry.Id}: {AdminOutput.Name(entry.Status)}" + (entry.Fallback.Length > 0 ? $" (fallback {entry.Fallback})" : string.Empty) + $", by {entry.Actor} at {AdminOutput.Time(entry.ChangedAtMs)}");
        }

        return 0;
    }
}
