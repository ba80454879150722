using Grpc.Health.V1;
using Guardrail.Rpc;
using Guardrail.Rpc.Server;

namespace Guardrail.Gateway.Services;

/// <summary>grpc.health.v1.Health/Check: SERVING until shutdown begins, then NOT_SERVING so load
/// balancers drain the instance. Unknown service names get NOT_FOUND, as the protocol asks.</summary>
public sealed class HealthService(IHostApplicationLifetime lifetime)
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        string.Empty, "guardrail.v1.Screen", "guardrail.v1.Diagnostics",
    };

    public ValueTask<HealthCheckResponse> CheckAsync(HealthCheckRequest request, ServerCallContext context)
    {
        if (!Known.Contains(request.Service))
        {
            throw new RpcException(StatusCode.NotFound, $"unknown service '{request.Service}'");
        }

        var status = lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResponse.Types.ServingStatus.NotServing
            : HealthCheckResponse.Types.ServingStatus.Serving;
        return ValueTask.FromResult(new HealthCheckResponse { Status = status });
    }
}
