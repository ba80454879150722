namespace Guardrail.State;

/// <summary>A tenant's stored state: token bucket, daily budget, anomaly bucket and baselines.
/// Field for field what the Redis store keeps in the tenant hash.</summary>
internal sealed class TenantState
{
    public double Tokens = double.NaN;
    public long RefilledMs;
    public long Day = -1;
    public double Used;
    public long Bucket = -1;
    public long Count;
    public long AdmittedCount;
    public double FlaggedCount;
    public double ScoreSum;
    public readonly double[] Mean = [double.NaN, double.NaN, double.NaN];
    public readonly double[] Variance = [0, 0, 0];
    public int Closed;
    public bool Anomalous;
    public double LastZ;
}

/// <summary>A session's stored state. <see cref="UpdatedMs"/> 0 means new.</summary>
internal sealed class SessionState
{
    public double Risk;
    public long UpdatedMs;
    public long LockedUntilMs;
}

/// <summary>
/// The rules of one turn, applied to in-memory state. The Redis store's Lua script
/// (record_turn.lua) is a line-by-line transcription; the shared contract suite holds both to the
/// same answers.
/// </summary>
internal static class TurnRules
{
    public const long DayMs = 86_400_000;

    /// <summary>At most this many empty buckets are folded into the baselines after a quiet spell
    /// (after 64 the baselines have converged on "quiet" anyway).</summary>
    public const int MaxEmptyBuckets = 64;

    public static TurnOutcome Apply(ScreeningTurn turn, TenantState tenant, SessionState? session, QuotaOptions quota, AnomalyOptions anomaly, SessionRiskOptions risk)
    {
        var now = turn.NowMs;
        double sessionRisk = 0;
        long lockedUntil = 0;
        if (session is { UpdatedMs: > 0 })
        {
            sessionRisk = session.Risk;
            lockedUntil = session.LockedUntilMs;
            if (now > session.UpdatedMs)
            {
                sessionRisk *= Math.Pow(2, -(now - session.UpdatedMs) / (risk.HalfLifeSeconds * 1000.0));
            }
        }

        // Quota: refill, daily reset, then charge (1 + factor × risk) tokens and that many times the characters.
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

        var multiplier = 1 + (quota.RiskCostFactor * sessionRisk);
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

        var admitted = throttle == ThrottleKind.None;
        CountForAnomaly(tenant, now, admitted, turn, anomaly);

        var level = SessionLevel.None;
        if (session is not null)
        {
            if (admitted)
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

        return new TurnOutcome(throttle, retryAfter, sessionRisk, level, lockedUntil, tenant.Anomalous, tenant.LastZ, tenant.Tokens, quota.DailyChars - tenant.Used);
    }

    private static void CountForAnomaly(TenantState tenant, long now, bool admitted, ScreeningTurn turn, AnomalyOptions anomaly)
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
