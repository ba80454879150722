using System.CommandLine;
using Guardrail.Contracts.V1;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl models list | isolate | restore | shadow: the model registry (operator key).</summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var kind = new Option<string?>("--kind") { Description = "only detector models or only target models" };
        kind.AcceptOnlyFromAmong("detector", "target");
        var listJson = CliOptions.Json();
        var list = new Command("list", "every detector model version and protected model, with status, reason, actor and time") { kind, listJson };
        list.SetAction(async (parse, cancellationToken) =>
        {
            var wanted = parse.GetValue(kind) switch
            {
                "detector" => ModelKind.Detector,
                "target" => ModelKind.Target,
                _ => ModelKind.Unspecified,
            };
            using var client = CliOptions.Connect(parse);
            var models = await client.Admin.ListModelsAsync(new ListModelsRequest { Kind = wanted }, deadline: AdminOutput.Deadline(), cancellationToken: cancellationToken);
            if (parse.GetValue(listJson))
            {
                AdminOutput.PrintJson(models);
                return 0;
            }

            Table.Print(["KIND", "MODEL", "STATUS", "FALLBACK", "CHANGED", "BY", "REASON"], models.Models.Select(m => new[]
            {
                AdminOutput.Name(m.Kind), m.Id, AdminOutput.Name(m.Status), m.Fallback.Length > 0 ? m.Fallback : "-",
                AdminOutput.Time(m.ChangedAtMs), m.Actor, m.Reason,
            }));
            Console.WriteLine($"revision {models.Revision} (gateway {models.Node} applies {models.AppliedRevision})");
            return 0;
        });

        return new Command("models", "the model registry: isolate a model on every gateway and worker, restore it, or put it in shadow (operator key)")
        {
            list,
            Change("isolate", "take a model out of use everywhere (--reason required); a target model's callers get BLOCK naming --fallback"),
            Change("restore", "return a model to the status it had before it was isolated (a shadow model to shadow)"),
            Change("shadow", "score and record a detector model without enforcing it"),
        };
    }

    private static Command Change(string verb, string description)
    {
        var detector = new Option<string?>("--detector") { Description = "a detector model, MODEL@VERSION" };
        var target = new Option<string?>("--target") { Description = "a protected model, as callers send model_id" };
        var reason = new Option<string>("--reason") { Description = "why (audited and shown)", DefaultValueFactory = _ => string.Empty };
        var fallback = new Option<string>("--fallback") { Description = "the model callers should use meanwhile", DefaultValueFactory = _ => string.Empty };
        var json = CliOptions.Json();
        var command = new Command(verb, description) { detector, target, reason, json };
        if (verb == "isolate")
        {
            command.Add(fallback);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var model = (parse.GetValue(detector), parse.GetValue(target)) switch
            {
                ({ } d, null) => new ModelRef { Kind = ModelKind.Detector, Id = d },
                (null, { } t) => new ModelRef { Kind = ModelKind.Target, Id = t },
                _ => throw new UsageException($"models {verb} needs exactly one of --detector MODEL@VERSION or --target MODEL_ID"),
            };
            using var client = CliOptions.Connect(parse);
            var why = parse.GetValue(reason)!;
            var entry = verb switch
            {
                "isolate" => await client.Admin.IsolateModelAsync(new IsolateModelRequest { Model = model, Reason = why, Fallback = parse.GetValue(fallback)! }, deadline: AdminOutput.Deadline(), cancellationToken: cancellationToken),
                "restore" => await client.Admin.RestoreModelAsync(new ModelChangeRequest { Model = model, Reason = why }, deadline: AdminOutput.Deadline(), cancellationToken: cancellationToken),
                _ => await client.Admin.ShadowModelAsync(new ModelChangeRequest { Model = model, Reason = why }, deadline: AdminOutput.Deadline(), cancellationToken: cancellationToken),
            };
            if (parse.GetValue(json))
            {
                AdminOutput.PrintJson(entry);
            }
            else
            {
                Console.WriteLine($"{entry.Id}: {AdminOutput.Name(entry.Status)}" + (entry.Fallback.Length > 0 ? $" (fallback {entry.Fallback})" : string.Empty) + $", by {entry.Actor} at {AdminOutput.Time(entry.ChangedAtMs)}");
            }

            return 0;
        });
        return command;
    }
}
