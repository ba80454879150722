using Grpc.Health.V1;
using Microsoft.Extensions.Hosting;

namespace Guardrail.Rpc.Server;

/// <summary>grpc.health.v1.Health/Check: SERVING until shutdown begins, then NOT_SERVING so load
/// balancers drain the instance. Unknown service names get NOT_FOUND, as the protocol asks.</summary>
/// <param name="services">The fully qualified services this host serves ("" is always known).</param>
public sealed class HealthService(IHostApplicationLifetime lifetime, IEnumerable<string> services)
{
    private readonly HashSet<string> _known = new([string.Empty, .. services], StringComparer.Ordinal);

    public ValueTask<HealthCheckResponse> CheckAsync(HealthCheckRequest request, ServerCallContext context)
    {
        if (!_known.Contains(request.Service))
        {
            throw new RpcException(StatusCode.NotFound, $"unknown service '{request.Service}'");
        }

        var status = lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResponse.Types.ServingStatus.NotServing
            : HealthCheckResponse.Types.ServingStatus.Serving;
        return ValueTask.FromResult(new HealthCheckResponse { Status = status });
    }
}
