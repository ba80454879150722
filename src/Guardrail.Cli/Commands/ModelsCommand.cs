using Guardrail.Contracts.V1;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl models list | isolate | restore | shadow: the model registry (operator key).</summary>
public static class ModelsCommand
{
    public static readonly IReadOnlySet<string> Flags = new HashSet<string> { "json" };

    public static async Task<int> RunAsync(GatewayConnection client, CommandArgs args)
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
            var list = await client.Admin.ListModelsAsync(new ListModelsRequest { Kind = kind }, deadline: AdminOutput.Deadline());
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
            "isolate" => await client.Admin.IsolateModelAsync(new IsolateModelRequest { Model = model, Reason = reason, Fallback = args.Value("fallback") ?? string.Empty }, deadline: AdminOutput.Deadline()),
            "restore" => await client.Admin.RestoreModelAsync(new ModelChangeRequest { Model = model, Reason = reason }, deadline: AdminOutput.Deadline()),
            _ => await client.Admin.ShadowModelAsync(new ModelChangeRequest { Model = model, Reason = reason }, deadline: AdminOutput.Deadline()),
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
