using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Guardrail.Hosting;

/// <summary>Whether this host serves: not before it has started, not once shutdown begins (the
/// drain period included). The "serving" readiness check every host has, behind
/// grpc.health.v1 and /readyz.</summary>
public sealed class ServingState(IHostApplicationLifetime lifetime) : IHealthCheck
{
    private volatile bool _draining;
    private volatile bool _closing;

    /// <summary>Why the host does not serve now, or null while it does.</summary>
    public string? NotServingReason
        => _draining || lifetime.ApplicationStopping.IsCancellationRequested ? "stopping"
            : !lifetime.ApplicationStarted.IsCancellationRequested ? "starting"
            : null;

    /// <summary>The drain period is over: the listener is closing and only calls in flight finish.
    /// A service refuses new work from here on (a worker answers UNAVAILABLE, so gateways retry
    /// elsewhere).</summary>
    public bool Closing => _closing;

    internal void BeginDrain() => _draining = true;

    internal void EndDrain() => _closing = true;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(NotServingReason is { } reason ? HealthCheckResult.Unhealthy(reason) : HealthCheckResult.Healthy());
}
