using Grpc.Health.V1;
using Guardrail.Audit.Records;
using Guardrail.Rpc.Client;
using Guardrail.Rpc.Methods;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl health: grpc.health.v1.Health/Check. Exit 0 when SERVING, 1 otherwise.</summary>
public static class HealthCommand
{
    public static async Task<int> RunAsync(GrpcClient client, CommandArgs args)
    {
        args.OnlyAllow("service");
        var response = await client.CallAsync(
            GuardrailMethods.HealthCheck,
            new HealthCheckRequest { Service = args.Value("service") ?? string.Empty },
            new CallOptions(TimeSpan.FromSeconds(5)));
        Console.WriteLine(ScreenAuditRecords.WireName(response.Status)); // NOT_SERVING, as the protocol names it
        return response.Status == HealthCheckResponse.Types.ServingStatus.Serving ? 0 : 1;
    }
}
