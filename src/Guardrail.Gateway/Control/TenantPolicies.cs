using System.Collections.Concurrent;
using Guardrail.Core.Policy;
using Grpc.Core;
using Guardrail.Contracts.Client;
using Guardrail.State;
using Guardrail.State.Control;

namespace Guardrail.Gateway.Control;

/// <summary>Each tenant's policy as Screen uses it, built once per stored revision (the
/// control-plane view caches the records and drops them when they change).</summary>
public sealed class TenantPolicies(ControlPlaneView control, TenantPolicy configured)
{
    private readonly ConcurrentDictionary<string, (long Revision, TenantPolicy Policy)> _built = new(StringComparer.Ordinal);

    public async ValueTask<TenantPolicy> ForAsync(string tenantId, CancellationToken cancellationToken)
    {
        TenantRecord? record;
        try
        {
            record = await control.TenantAsync(tenantId, cancellationToken).ConfigureAwait(false);
        }
        catch (StateUnavailableException) when (tenantId == configured.TenantId)
        {
            return configured; // the configured tenant is served while the store is down
        }
        catch (StateUnavailableException e)
        {
            throw RpcErrors.Status(StatusCode.Unavailable, $"cannot read tenant '{tenantId}' policy: {e.Message}");
        }

        if (record is null)
        {
            throw RpcErrors.Status(StatusCode.PermissionDenied, $"tenant '{tenantId}' does not exist");
        }

        if (record.Revision == 0)
        {
            return configured;
        }

        if (_built.TryGetValue(tenantId, out var built) && built.Revision == record.Revision)
        {
            return built.Policy;
        }

        var policy = TenantPolicy.From(record.Policy);
        _built[tenantId] = (record.Revision, policy);
        return policy;
    }
}
