using System.CommandLine;
using Grpc.Health.V1;
using Guardrail.Audit.Records;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl health: grpc.health.v1.Health/Check. Exit 0 when SERVING, 1 otherwise.</summary>
public static class HealthCommand
{
    public static Command Create()
    {
        var service = new Option<string>("--service") { Description = "the service to ask about [default: the server as a whole]", DefaultValueFactory = _ => string.Empty };
        var command = new Command("health", "check the gateway's (or worker's) gRPC health: SERVING or NOT_SERVING") { service };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = CliOptions.Connect(parse);
            var response = await client.Health.CheckAsync(new HealthCheckRequest { Service = parse.GetValue(service) }, deadline: GatewayConnection.In(TimeSpan.FromSeconds(5)), cancellationToken: cancellationToken);
            Console.WriteLine(ScreenAuditRecords.WireName(response.Status)); // NOT_SERVING, as the protocol names it
            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving ? 0 : 1;
        });
        return command;
    }
}
