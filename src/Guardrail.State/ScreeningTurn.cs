using Orleans;

namespace Guardrail.State;

/// <summary>
/// One Screen request as the state store sees it: who, how big, how risky. <see cref="RiskScore"/>
/// is the turn's highest score in the risk categories; <see cref="Flagged"/> says whether the
/// detectors alone flagged or blocked it. Time is the caller's clock (TimeProvider), in Unix ms, so
/// fake time works and every node of a cluster agrees within its clock skew.
/// </summary>
[GenerateSerializer]
public sealed record ScreeningTurn(string TenantId, string? SessionId, long NowMs, long Chars, double ChannelWeight, double RiskScore, bool Flagged);

[GenerateSerializer]
public enum ThrottleKind
{
    None,

    /// <summary>The tenant's token bucket is empty.</summary>
    Rate,

    /// <summary>The tenant's characters for this UTC day are spent.</summary>
    Daily,
}

/// <summary>Where a session's risk has taken it.</summary>
[GenerateSerializer]
public enum SessionLevel
{
    None,
    Flag,
    Block,
}

/// <summary>
/// What the store decided for one turn. A throttled turn changes no session and no budget;
/// <see cref="RetryAfterMs"/> says when the same request would be admitted.
/// <see cref="SessionRisk"/> is after this turn (before it, when throttled). <see cref="Fallback"/>
/// is set when the shared store could not be reached and a local one answered.
/// </summary>
[GenerateSerializer]
public sealed record TurnOutcome(
    ThrottleKind Throttle,
    long RetryAfterMs,
    double SessionRisk,
    SessionLevel SessionLevel,
    long LockedUntilMs,
    bool TenantAnomalous,
    double AnomalyZ,
    double TokensLeft,
    double DailyCharsLeft,
    bool Fallback = false)
{
    public bool Admitted => Throttle == ThrottleKind.None;
}

/// <summary>A turn as its tenant sees it: the session's part is reduced to its risk before the
/// turn (which prices the turn), so a session kept elsewhere (a session grain) can ask its tenant.</summary>
[GenerateSerializer]
public sealed record TenantTurn(long NowMs, long Chars, double SessionRisk, double RiskScore, bool Flagged);

/// <summary>What the tenant decided for one turn; the session's side completes it into a <see cref="TurnOutcome"/>.</summary>
[GenerateSerializer]
public sealed record TenantCharge(ThrottleKind Throttle, long RetryAfterMs, bool Anomalous, double AnomalyZ, double TokensLeft, double DailyCharsLeft);

/// <summary>A tenant's quota and anomaly state, for operators.</summary>
[GenerateSerializer]
public sealed record TenantSnapshot(string TenantId, double Tokens, double DailyCharsUsed, bool Anomalous, double LastZ, int BaselineBuckets, double BaselineRequestsPerBucket, double BaselineFlagShare, double BaselineMeanScore);

/// <summary>A session's conversation risk as stored (not decayed to now), for operators.</summary>
[GenerateSerializer]
public sealed record SessionSnapshot(string TenantId, string SessionId, double Risk, long UpdatedMs, long LockedUntilMs);

/// <summary>
/// Per-tenant and per-session state behind one operation per Screen request. Implementations: the
/// tenant and session grains (Guardrail.Grains: embedded, or a cluster of silos through Redis) and
/// in memory (the fail-open fallback). Keyed by tenant and session, async, and an operation
/// touches one tenant only.
/// </summary>
public interface IScreeningStateStore
{
    /// <summary>Quota check, then (if admitted) session risk and tenant anomaly updates, atomically.</summary>
    ValueTask<TurnOutcome> RecordTurnAsync(ScreeningTurn turn, CancellationToken cancellationToken = default);

    ValueTask<TenantSnapshot> GetTenantAsync(string tenantId, CancellationToken cancellationToken = default);

    /// <summary>Null when the session is unknown or expired.</summary>
    ValueTask<SessionSnapshot?> GetSessionAsync(string tenantId, string sessionId, CancellationToken cancellationToken = default);

    ValueTask ResetSessionAsync(string tenantId, string sessionId, CancellationToken cancellationToken = default);
}

/// <summary>The store could not answer in time or at all (a silo gone, Redis down, network cut, timeout).</summary>
public sealed class StateUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
