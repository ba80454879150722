using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Guardrail.Contracts.V1;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl tenants list | create | get | set-policy.</summary>
public static class TenantsCommand
{
    public static Command Create()
        => new("tenants", "tenants, their policy, quota and anomaly state") { List(), CreateTenant(), Get(), SetPolicy() };

    private static Command List()
    {
        var json = CliOptions.Json();
        var command = new Command("list", "every tenant (operator key)") { json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = CliOptions.Connect(parse);
            var list = await client.Admin.ListTenantsAsync(new ListTenantsRequest(), deadline: AdminOutput.Deadline(), cancellationToken: cancellationToken);
            if (parse.GetValue(json))
            {
                AdminOutput.PrintJson(list);
                return 0;
            }

            Table.Print(["TENANT", "POLICY", "REVISION", "UPDATED", "BY"], list.Tenants.Select(t => new[]
            {
                t.Id, t.Policy.Version, t.Revision.ToString(CultureInfo.InvariantCulture), AdminOutput.Time(t.UpdatedAtMs), t.UpdatedBy,
            }));
            return 0;
        });
        return command;
    }

    private static Command CreateTenant()
    {
        var id = new Argument<string>("TENANT") { Description = "the tenant id: 1-64 of A-Z a-z 0-9 . _ -" };
        var file = PolicyFile();
        var json = CliOptions.Json();
        var command = new Command("create", "create a tenant, with the configured policy or the one in --file (operator key)") { id, file, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = CliOptions.Connect(parse);
            var created = await client.Admin.CreateTenantAsync(new CreateTenantRequest { TenantId = parse.GetValue(id), Policy = ReadPolicy(parse.GetValue(file)) }, deadline: AdminOutput.Deadline(), cancellationToken: cancellationToken);
            Print(created, parse.GetValue(json));
            return 0;
        });
        return command;
    }

    private static Command Get()
    {
        var id = new Argument<string>("TENANT") { Description = "the tenant [default: the key's own]", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => string.Empty };
        var json = CliOptions.Json();
        var command = new Command("get", "a tenant's policy, quota and state now") { id, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = CliOptions.Connect(parse);
            Print(await client.Admin.GetTenantAsync(new GetTenantRequest { TenantId = parse.GetValue(id) }, deadline: AdminOutput.Deadline(), cancellationToken: cancellationToken), parse.GetValue(json));
            return 0;
        });
        return command;
    }

    private static Command SetPolicy()
    {
        var id = new Argument<string>("TENANT") { Description = "the tenant [default: the key's own]", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => string.Empty };
        var file = PolicyFile();
        var set = new Option<string[]>("--set")
        {
            Description = "CATEGORY.FIELD=VALUE (flag_at, block_at, redact, fail_closed, channels), rules.NAME.FIELD=VALUE (kind, phrases=a|b, pattern, topic, threshold, channels, action; a new NAME adds a rule), or state_fail_closed=, anonymize=, canary_tokens=, version= (repeatable)",
        };
        var remove = new Option<string[]>("--remove-rule") { Description = "remove the tenant rule NAME (repeatable)" };
        var json = CliOptions.Json();
        var command = new Command("set-policy", "change a tenant's policy: read it, apply --file and --set, write it back with the revision read") { id, file, set, remove, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var assignments = parse.GetValue(set) ?? [];
            var removals = parse.GetValue(remove) ?? [];
            if (assignments.Length == 0 && removals.Length == 0 && parse.GetValue(file) is null)
            {
                throw new UsageException("tenants set-policy needs --file POLICY.json, --set CATEGORY.FIELD=VALUE or --remove-rule NAME");
            }

            using var client = CliOptions.Connect(parse);
            var current = await client.Admin.GetTenantAsync(new GetTenantRequest { TenantId = parse.GetValue(id) }, deadline: AdminOutput.Deadline(), cancellationToken: cancellationToken);
            var policy = ReadPolicy(parse.GetValue(file)) ?? current.Policy.Clone();
            foreach (var name in removals)
            {
                if (policy.Rules.FirstOrDefault(r => r.Name == name) is not { } rule)
                {
                    throw new UsageException($"--remove-rule {name}: no such rule (have {string.Join(", ", policy.Rules.Select(r => r.Name))})");
                }

                policy.Rules.Remove(rule);
            }

            foreach (var assignment in assignments)
            {
                Set(policy, assignment);
            }

            var updated = await client.Admin.UpdateTenantPolicyAsync(
                new UpdateTenantPolicyRequest { TenantId = current.Id, Policy = policy, ExpectedRevision = current.Revision }, deadline: AdminOutput.Deadline(), cancellationToken: cancellationToken);
            Print(updated, parse.GetValue(json));
            return 0;
        });
        return command;
    }

    private static Option<string?> PolicyFile() => new("--file") { Description = "a policy as proto3 JSON (guardrail.v1.TenantPolicy)" };

    private static void Print(Tenant tenant, bool json)
    {
        if (json)
        {
            AdminOutput.PrintJson(tenant);
            return;
        }

        Console.WriteLine($"tenant {tenant.Id}: policy {tenant.Policy.Version} (revision {tenant.Revision}, updated {AdminOutput.Time(tenant.UpdatedAtMs)} by {tenant.UpdatedBy})");
        Console.WriteLine($"quota: {tenant.Quota.RequestsPerSecond:0.##} requests/s, burst {tenant.Quota.Burst:0}, {tenant.Quota.DailyChars:0} characters/day; state store fail-{(tenant.Policy.StateFailClosed ? "closed" : "open")}{(tenant.Policy.Anonymize ? "; PII anonymised per session (reversible)" : string.Empty)}");
        if (tenant.State is { } state)
        {
            Console.WriteLine($"now: {state.Tokens:0.#} tokens, {state.DailyCharsUsed:0} characters used today, anomalous {(state.Anomalous ? "YES" : "no")} (z {state.LastZ:0.0}, baseline {state.BaselineBuckets} buckets)");
        }

        if (tenant.Policy.Rules.Count > 0)
        {
            Table.Print(["RULE", "KIND", "ACTION", "CHANNELS", "MATCHES"], tenant.Policy.Rules.Select(r => new[]
            {
                r.Name, r.Kind, r.Kind == "allow" ? "exempt" : r.Action, r.Channels.Length > 0 ? r.Channels : "all",
                r.Kind switch
                {
                    "ban_regex" => r.Pattern,
                    "topic" => $"{r.Topic} (at {r.Threshold.ToString("0.##", CultureInfo.InvariantCulture)})",
                    _ => string.Join(" | ", r.Phrases),
                },
            }));
            Console.WriteLine();
        }

        Table.Print(["CATEGORY", "FLAG AT", "BLOCK AT", "REDACT", "FAIL", "CHANNELS"], tenant.Policy.Categories.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new[]
        {
            c.Key, c.Value.FlagAt.ToString("0.###", CultureInfo.InvariantCulture), c.Value.BlockAt.ToString("0.###", CultureInfo.InvariantCulture),
            c.Value.Redact ? "yes" : "no", c.Value.FailClosed ? "closed" : "open", c.Value.Channels.Length > 0 ? c.Value.Channels : "all",
        }));
    }

    private static TenantPolicy? ReadPolicy(string? file)
    {
        if (file is null)
        {
            return null;
        }

        try
        {
            return JsonParser.Default.Parse<TenantPolicy>(File.ReadAllText(file));
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or IOException)
        {
            throw new UsageException($"--file {file}: {e.Message}");
        }
    }

    /// <summary>CATEGORY.FIELD=VALUE (flag_at, block_at, redact, fail_closed, channels), or
    /// state_fail_closed=, anonymize=, canary_tokens=a,b, version=.</summary>
    private static void Set(TenantPolicy policy, string assignment)
    {
        var eq = assignment.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new UsageException($"--set '{assignment}' must be CATEGORY.FIELD=VALUE or state_fail_closed=, anonymize=, canary_tokens=, version=");
        }

        var (path, value) = (assignment[..eq], assignment[(eq + 1)..]);
        switch (path)
        {
            case "state_fail_closed":
                policy.StateFailClosed = Bool(path, value);
                return;
            case "anonymize":
                policy.Anonymize = Bool(path, value);
                return;
            case "canary_tokens":
                policy.CanaryTokens.Clear();
                policy.CanaryTokens.Add(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                return;
            case "version":
                policy.Version = value;
                return;
        }

        if (path.StartsWith("rules.", StringComparison.Ordinal))
        {
            SetRule(policy, path, value);
            return;
        }

        var dot = path.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !policy.Categories.TryGetValue(path[..dot], out var category))
        {
            throw new UsageException($"--set '{path}': no such category (have {string.Join(", ", policy.Categories.Keys)})");
        }

        switch (path[(dot + 1)..])
        {
            case "flag_at": category.FlagAt = Float(path, value); break;
            case "block_at": category.BlockAt = Float(path, value); break;
            case "redact": category.Redact = Bool(path, value); break;
            case "fail_closed": category.FailClosed = Bool(path, value); break;
            case "channels": category.Channels = value; break;
            default: throw new UsageException($"--set '{path}': fields are flag_at, block_at, redact, fail_closed, channels");
        }
    }

    /// <summary>rules.NAME.FIELD=VALUE; the gateway validates the rule (INVALID_ARGUMENT naming it).</summary>
    private static void SetRule(TenantPolicy policy, string path, string value)
    {
        var parts = path.Split('.', 3);
        if (parts.Length != 3 || parts[1].Length == 0)
        {
            throw new UsageException($"--set '{path}' must be rules.NAME.FIELD=VALUE");
        }

        var rule = policy.Rules.FirstOrDefault(r => r.Name == parts[1]);
        if (rule is null)
        {
            policy.Rules.Add(rule = new TenantRule { Name = parts[1] });
        }

        switch (parts[2])
        {
            case "kind": rule.Kind = value; break;
            case "phrases":
                rule.Phrases.Clear();
                rule.Phrases.Add(value.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                break;
            case "pattern": rule.Pattern = value; break;
            case "topic": rule.Topic = value; break;
            case "threshold": rule.Threshold = Float(path, value); break;
            case "channels": rule.Channels = value; break;
            case "action": rule.Action = value; break;
            default: throw new UsageException($"--set '{path}': rule fields are kind, phrases, pattern, topic, threshold, channels, action");
        }
    }

    private static float Float(string path, string value)
        => float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? f : throw new UsageException($"--set {path}: '{value}' is not a number");

    private static bool Bool(string path, string value)
        => bool.TryParse(value, out var b) ? b : throw new UsageException($"--set {path}: '{value}' is not true or false");

    private static string Required(string value, string usage)
        => value.Length > 0 ? value : throw new UsageException($"usage: guardrailctl {usage}");
}
