using System.CommandLine;
using Guardrail.Contracts.V1;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl sessions get | reset SESSION: a conversation's risk, and clearing it.</summary>
public static class SessionsCommand
{
    public static Command Create()
        => new("sessions", "a conversation's risk and lock, and clearing them") { Verb("get", "a session's risk and lock"), Verb("reset", "clear a session's risk and lock") };

    private static Command Verb(string verb, string description)
    {
        var session = new Argument<string>("SESSION") { Description = "the session id callers send" };
        var tenant = CliOptions.Tenant();
        var json = CliOptions.Json();
        var command = new Command(verb, description) { session, tenant, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = new SessionRequest { TenantId = parse.GetValue(tenant), SessionId = parse.GetValue(session) };
            using var client = CliOptions.Connect(parse);
            var found = verb == "get"
                ? await client.Admin.GetSessionAsync(request, deadline: AdminOutput.Deadline(), cancellationToken: cancellationToken)
                : await client.Admin.ResetSessionAsync(request, deadline: AdminOutput.Deadline(), cancellationToken: cancellationToken);
            if (parse.GetValue(json))
            {
                AdminOutput.PrintJson(found);
            }
            else if (verb == "reset")
            {
                Console.WriteLine($"session {found.SessionId} of tenant {found.TenantId} reset");
            }
            else
            {
                Console.WriteLine(found.Found
                    ? $"session {found.SessionId} of tenant {found.TenantId}: risk {found.Risk:0.00} at {AdminOutput.Time(found.UpdatedAtMs)}, locked until {AdminOutput.Time(found.LockedUntilMs)}"
                    : $"session {found.SessionId} of tenant {found.TenantId}: unknown or expired");
            }

            return 0;
        });
        return command;
    }
}
