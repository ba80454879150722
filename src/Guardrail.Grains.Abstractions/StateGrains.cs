using Guardrail.State;
using Guardrail.State.Privacy;
using Orleans;

namespace Guardrail.Grains;

/// <summary>
/// One tenant's quota (token bucket, daily character budget) and anomaly baselines. Key: the
/// tenant id. Times are the caller's clock in Unix ms, as in <see cref="ScreeningTurn"/>, so every
/// silo applies the same rules to the same instants and fake time works in tests.
/// </summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>A turn without a session: charged, counted, answered.</summary>
    Task<TurnOutcome> RecordTurn(ScreeningTurn turn, CancellationToken cancellationToken = default);

    /// <summary>A session's turn, priced by the session's risk before it (from <see cref="ISessionGrain"/>).</summary>
    Task<TenantCharge> Charge(TenantTurn turn, CancellationToken cancellationToken = default);

    Task<TenantSnapshot> Snapshot(long nowMs, CancellationToken cancellationToken = default);
}

/// <summary>
/// One session's conversation risk, escalation and lock. Key: <see cref="SessionGrainKey"/>
/// (tenant/session). A turn asks the tenant's grain to charge it, then settles the session: turns
/// of one session are applied one at a time, in arrival order.
/// </summary>
public interface ISessionGrain : IGrainWithStringKey
{
    Task<TurnOutcome> RecordTurn(ScreeningTurn turn, CancellationToken cancellationToken = default);

    /// <summary>Null when the session is unknown or expired at <paramref name="nowMs"/>.</summary>
    Task<SessionSnapshot?> Snapshot(long nowMs, CancellationToken cancellationToken = default);

    Task Reset(CancellationToken cancellationToken = default);

    /// <summary>Reversible anonymisation: each value's placeholder in this session (the one it
    /// already has, or the next of its kind); null past <paramref name="limit"/> placeholders. New
    /// ones are written before the answer, so a placeholder handed out outlives its silo.</summary>
    Task<string?[]> Placeholders(PlaceholderRequest[] values, long nowMs, int limit, CancellationToken cancellationToken = default);

    /// <summary>The sealed originals of these placeholders; null for one this session does not hold
    /// (made up, or the session expired and took its placeholders with it).</summary>
    Task<SealedValue?[]> Originals(string[] placeholders, long nowMs, CancellationToken cancellationToken = default);
}

/// <summary>Session grain keys: "tenant/session". Tenant ids cannot hold '/' (PolicyOptions.IsValidTenantId),
/// so the first '/' splits the key whatever the session id holds.</summary>
public static class SessionGrainKey
{
    public static string Of(string tenantId, string sessionId) => tenantId + "/" + sessionId;

    public static (string TenantId, string SessionId) Parse(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? (key[..slash], key[(slash + 1)..]) : throw new ArgumentException($"'{key}' is not a session grain key (tenant/session).", nameof(key));
    }
}
