using Guardrail.Contracts.V1;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl sessions get | reset SESSION: a conversation's risk, and clearing it.</summary>
public static class SessionsCommand
{
    public static readonly IReadOnlySet<string> Flags = new HashSet<string> { "json" };

    public static async Task<int> RunAsync(GatewayConnection client, CommandArgs args)
    {
        var sub = AdminOutput.Subcommand(args, "sessions", "get", "reset");
        args.OnlyAllow("tenant", "json");
        var request = new SessionRequest
        {
            TenantId = args.Value("tenant") ?? string.Empty,
            SessionId = args.Positionals.Count > 1 ? args.Positionals[1] : throw new UsageException($"usage: guardrailctl sessions {sub} SESSION [--tenant ID]"),
        };
        var session = sub == "get"
            ? await client.Admin.GetSessionAsync(request, deadline: AdminOutput.Deadline())
            : await client.Admin.ResetSessionAsync(request, deadline: AdminOutput.Deadline());
        if (args.Flag("json"))
        {
            AdminOutput.PrintJson(session);
        }
        else if (sub == "reset")
        {
            Console.WriteLine($"session {session.SessionId} of tenant {session.TenantId} reset");
        }
        else
        {
            Console.WriteLine(session.Found
                ? $"session {session.SessionId} of tenant {session.TenantId}: risk {session.Risk:0.00} at {AdminOutput.Time(session.UpdatedAtMs)}, locked until {AdminOutput.Time(session.LockedUntilMs)}"
                : $"session {session.SessionId} of tenant {session.TenantId}: unknown or expired");
        }

        return 0;
    }
}
