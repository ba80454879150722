using Orleans;

namespace Guardrail.State;

/// <summary>A tenant's stored state: token bucket, daily budget, anomaly bucket and baselines.
/// Serializable so a tenant grain can persist it (Orleans grain storage).</summary>
[GenerateSerializer]
internal sealed class TenantState
{
    [Id(0)] public double Tokens = double.NaN;
    [Id(1)] public long RefilledMs;
    [Id(2)] public long Day = -1;
    [Id(3)] public double Used;
    [Id(4)] public long Bucket = -1;
    [Id(5)] public long Count;
    [Id(6)] public long AdmittedCount;
    [Id(7)] public double FlaggedCount;
    [Id(8)] public double ScoreSum;
    [Id(9)] public double[] Mean = [double.NaN, double.NaN, double.NaN];
    [Id(10)] public double[] Variance = [0, 0, 0];
    [Id(11)] public int Closed;
    [Id(12)] public bool Anomalous;
    [Id(13)] public double LastZ;
}

/// <summary>A session's stored state. <see cref="UpdatedMs"/> 0 means new.</summary>
[GenerateSerializer]
internal sealed class SessionState
{
    [Id(0)] public double Risk;
    [Id(1)] public long UpdatedMs;
    [Id(2)] public long LockedUntilMs;

    /// <summary>Reversible anonymisation's placeholders (sealed values only); null until the first.</summary>
    [Id(3)] public Privacy.PlaceholderMap? Placeholders;
}

/// <summary>
/// The rules of one turn, applied to in-memory state: by the in-memory store in one step
/// (<see cref="Apply"/>), and by the session and tenant grains in the same steps split between
/// them (<see cref="DecayedRisk"/>, <see cref="Charge"/>, <see cref="Settle"/>). The shared
/// contract suite holds both to the same answers.
/// </summary>
internal static class TurnRules
{
    public const long DayMs = 86_400_000;

    /// <summary>At most this many empty buckets are folded into the baselines after a quiet spell
    /// (after 64 the baselines have converged on "quiet" anyway).</summary>
    public const int MaxEmptyBuckets = 64;

    public static TurnOutcome Apply(ScreeningTurn turn, TenantState tenant, SessionState? session, QuotaOptions quota, AnomalyOptions anomaly, SessionRiskOptions risk)
    {
        var (sessionRisk, lockedUntil) = DecayedRisk(session, turn.NowMs, risk);
        var charge = Charge(tenant, new TenantTurn(turn.NowMs, turn.Chars, sessionRisk, turn.RiskScore, turn.Flagged), quota, anomaly);
        return Settle(turn, session, sessionRisk, lockedUntil, charge, risk);
    }

    /// <summary>The session's risk decayed to <paramref name="now"/>, and its lock; (0, 0) for a new session.</summary>
    public static (double Risk, long LockedUntilMs) DecayedRisk(SessionState? session, long now, SessionRiskOptions risk)
    {
        if (session is not { UpdatedMs: > 0 })
        {
            return (0, 0);
        }

        var decayed = session.Risk;
        if (now > session.UpdatedMs)
        {
            decayed *= Math.Pow(2, -(now - session.UpdatedMs) / (risk.HalfLifeSeconds * 1000.0));
        }

        return (decayed, session.LockedUntilMs);
    }

    /// <summary>The tenant's side of a turn: refill, daily reset, then charge (1 + factor × session
    /// risk) tokens and that many times the characters; the turn counts for the anomaly baselines
    /// either way.</summary>
    public static TenantCharge Charge(TenantState tenant, TenantTurn turn, QuotaOptions quota, AnomalyOptions anomaly)
    {
        var now = turn.NowMs;
        if (double.IsNaN(tenant.Tokens))
        {
            tenant.Tokens = quota.Burst;
            tenant.RefilledMs = now;
        }

        if (now > tenant.RefilledMs)
        {
            tenant.Tokens = Math.Min(quota.Burst, tenant.Tokens + ((now - tenant.RefilledMs) * quota.RequestsPerSecond / 1000.0));
            tenant.RefilledMs = now;
        }

        var day = now / DayMs;
        if (tenant.Day != day)
        {
            tenant.Day = day;
            tenant.Used = 0;
        }

        var multiplier = 1 + (quota.RiskCostFactor * turn.SessionRisk);
        var requestCost = Math.Min(quota.Burst, multiplier);
        var charCost = turn.Chars * multiplier;
        var throttle = ThrottleKind.None;
        long retryAfter = 0;
        if (tenant.Tokens < requestCost)
        {
            throttle = ThrottleKind.Rate;
            retryAfter = (long)Math.Ceiling((requestCost - tenant.Tokens) * 1000.0 / quota.RequestsPerSecond);
        }
        else if (tenant.Used + charCost > quota.DailyChars)
        {
            throttle = ThrottleKind.Daily;
            retryAfter = ((day + 1) * DayMs) - now;
        }
        else
        {
            tenant.Tokens -= requestCost;
            tenant.Used += charCost;
        }

        CountForAnomaly(tenant, now, throttle == ThrottleKind.None, turn, anomaly);
        return new TenantCharge(throttle, retryAfter, tenant.Anomalous, tenant.LastZ, tenant.Tokens, quota.DailyChars - tenant.Used);
    }

    /// <summary>The session's side, once the tenant has charged (or throttled) the turn: an admitted
    /// turn adds its weighted risk above the floor and may lock the session; a throttled one changes
    /// nothing. <paramref name="session"/> null: the turn has no session.</summary>
    public static TurnOutcome Settle(ScreeningTurn turn, SessionState? session, double sessionRisk, long lockedUntil, TenantCharge charge, SessionRiskOptions risk)
    {
        var now = turn.NowMs;
        var level = SessionLevel.None;
        if (session is not null)
        {
            if (charge.Throttle == ThrottleKind.None)
            {
                sessionRisk += turn.ChannelWeight * Math.Max(0, turn.RiskScore - risk.Floor);
                if (sessionRisk >= risk.BlockAt && lockedUntil <= now && risk.LockSeconds > 0)
                {
                    lockedUntil = now + (risk.LockSeconds * 1000L);
                }

                session.Risk = sessionRisk;
                session.UpdatedMs = now;
                session.LockedUntilMs = lockedUntil;
            }

            level = lockedUntil > now || sessionRisk >= risk.BlockAt ? SessionLevel.Block
                : sessionRisk >= risk.FlagAt ? SessionLevel.Flag
                : SessionLevel.None;
        }

        return new TurnOutcome(charge.Throttle, charge.RetryAfterMs, sessionRisk, level, lockedUntil, charge.Anomalous, charge.AnomalyZ, charge.TokensLeft, charge.DailyCharsLeft);
    }

    /// <summary>Idle for the session's idle time and not locked.</summary>
    public static bool IsExpired(SessionState session, long now, SessionRiskOptions risk)
        => session.UpdatedMs > 0 && now - session.UpdatedMs >= risk.IdleSeconds * 1000L && session.LockedUntilMs <= now;

    public static TenantSnapshot Snapshot(string tenantId, TenantState state) => new(
        tenantId, double.IsNaN(state.Tokens) ? 0 : state.Tokens, state.Used, state.Anomalous, state.LastZ, state.Closed,
        Zero(state.Mean[0]), Zero(state.Mean[1]), Zero(state.Mean[2]));

    private static double Zero(double value) => double.IsNaN(value) ? 0 : value;

    private static void CountForAnomaly(TenantState tenant, long now, bool admitted, TenantTurn turn, AnomalyOptions anomaly)
    {
        var bucket = now / (anomaly.BucketSeconds * 1000L);
        if (tenant.Bucket < 0)
        {
            tenant.Bucket = bucket;
        }

        if (bucket > tenant.Bucket)
        {
            var admittedCount = tenant.AdmittedCount;
            CloseBucket(tenant, anomaly, tenant.Count,
                admittedCount > 0 ? tenant.FlaggedCount / admittedCount : double.NaN,
                admittedCount > 0 ? tenant.ScoreSum / admittedCount : double.NaN);
            var empty = Math.Min(bucket - tenant.Bucket - 1, MaxEmptyBuckets);
            for (var i = 0; i < empty; i++)
            {
                CloseBucket(tenant, anomaly, 0, double.NaN, double.NaN);
            }

            tenant.Bucket = bucket;
            tenant.Count = 0;
            tenant.AdmittedCount = 0;
            tenant.FlaggedCount = 0;
            tenant.ScoreSum = 0;
        }

        tenant.Count++;
        if (admitted)
        {
            tenant.AdmittedCount++;
            tenant.FlaggedCount += turn.Flagged ? 1 : 0;
            tenant.ScoreSum += turn.RiskScore;
        }
    }

    /// <summary>Judges a closed bucket against the baselines (count, flag share, mean score; NaN =
    /// no value), raises or clears the alarm, then folds the bucket into the baselines.</summary>
    private static void CloseBucket(TenantState tenant, AnomalyOptions anomaly, double count, double flagShare, double meanScore)
    {
        double[] values = [count, flagShare, meanScore];
        if (tenant.Closed >= anomaly.MinBuckets)
        {
            var z = double.NegativeInfinity;
            for (var i = 0; i < 3; i++)
            {
                if (!double.IsNaN(values[i]) && !double.IsNaN(tenant.Mean[i]))
                {
                    var floor = i == 0 ? Math.Max(anomaly.MinCountStd, 0.1 * tenant.Mean[0]) : anomaly.MinShareStd;
                    z = Math.Max(z, (values[i] - tenant.Mean[i]) / Math.Max(Math.Sqrt(tenant.Variance[i]), floor));
                }
            }

            if (!tenant.Anomalous && z >= anomaly.RaiseZ)
            {
                tenant.Anomalous = true;
            }
            else if (tenant.Anomalous && z < anomaly.ClearZ)
            {
                tenant.Anomalous = false;
            }

            tenant.LastZ = double.IsNegativeInfinity(z) ? 0 : z;
        }

        var alpha = tenant.Anomalous ? anomaly.Alpha * anomaly.AnomalousLearning : anomaly.Alpha;
        for (var i = 0; i < 3; i++)
        {
            if (double.IsNaN(values[i]))
            {
                continue;
            }

            if (double.IsNaN(tenant.Mean[i]))
            {
                tenant.Mean[i] = values[i];
                tenant.Variance[i] = 0;
                continue;
            }

            var d = values[i] - tenant.Mean[i];
            tenant.Mean[i] += alpha * d;
            tenant.Variance[i] = (1 - alpha) * (tenant.Variance[i] + (alpha * d * d));
        }

        tenant.Closed++;
    }
}
