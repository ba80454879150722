using Grpc.Health.V1;
using Guardrail.Audit.Records;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl health: grpc.health.v1.Health/Check. Exit 0 when SERVING, 1 otherwise.</summary>
public static class HealthCommand
{
    public static async Task<int> RunAsync(GatewayConnection client, CommandArgs args)
    {
        args.OnlyAllow("service");
        var response = await client.Health.CheckAsync(
            new HealthCheckRequest { Service = args.Value("service") ?? string.Empty },
            deadline: GatewayConnection.In(TimeSpan.FromSeconds(5)));
        Console.WriteLine(ScreenAuditRecords.WireName(response.Status)); // NOT_SERVING, as the protocol names it
        return response.Status == HealthCheckResponse.Types.ServingStatus.Serving ? 0 : 1;
    }
}
