using Guardrail.Audit;
using Guardrail.Core.Policy;
using Guardrail.State;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Guardrail.Gateway;

/// <summary>What keeps a started gateway from serving well, behind grpc.health.v1 and /readyz
/// (with the hosting layer's own "serving" check for start-up and drain): the audit sink failing,
/// the state store unreachable while the tenant fails closed, and no detector worker for an
/// enforced ML detector that fails closed.</summary>
public sealed class GatewayReadiness : IHealthCheck
{
    private readonly AuditTrail _audit;
    private readonly PolicyOptions _policy;
    private readonly DetectorSet _detectors;
    private volatile bool _stateReachable = true;

    public GatewayReadiness(AuditTrail audit, PolicyOptions policy, DetectorSet detectors, FailoverStateStore state)
    {
        _audit = audit;
        _policy = policy;
        _detectors = detectors;
        state.AvailabilityChanged += (available, _) => _stateReachable = available;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var complaint = _audit.Log?.SinkFailure
            ?? (!_stateReachable && _policy.StateFailClosed ? "state store unreachable and the tenant fails closed" : null)
            ?? _detectors.WorkersUnavailable(_policy);
        return Task.FromResult(complaint is null ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(complaint));
    }
}
