using System.Globalization;
using Guardrail.Core.Policy;
using Guardrail.Core.Screening;

namespace Guardrail.State;

/// <summary>The state store and the rules it applies (section "Guardrail:State").</summary>
public sealed class StateOptions
{
    public const string Section = "Guardrail:State";

    /// <summary>"memory" (default: in-process, one node) or "redis" (shared by every gateway).</summary>
    public string Store { get; set; } = "memory";

    /// <summary>StackExchange.Redis configuration string, e.g. "10.0.0.5:6379,password=..." or
    /// several nodes of a Redis Cluster. Default "127.0.0.1:6379".</summary>
    public string Redis { get; set; } = "127.0.0.1:6379";

    /// <summary>Longest wait for one state operation before it counts as the store being unreachable. Default 250 ms.</summary>
    public int TimeoutMs { get; set; } = 250;

    /// <summary>Quota of every tenant without an entry in <see cref="Tenants"/>.</summary>
    public QuotaOptions Quota { get; set; } = new();

    /// <summary>Per-tenant quota overrides, by tenant id. Default none.</summary>
    public Dictionary<string, QuotaOptions> Tenants { get; set; } = new(StringComparer.Ordinal);

    public AnomalyOptions Anomaly { get; set; } = new();

    public SessionRiskOptions Session { get; set; } = new();

    /// <summary>Tenant state (bucket, daily budget, baselines) expires after this long without a request. Default 172800 s (2 days).</summary>
    public int TenantTtlSeconds { get; set; } = 172_800;

    public QuotaOptions QuotaFor(string tenantId) => Tenants.TryGetValue(tenantId, out var quota) ? quota : Quota;

    public IEnumerable<string> Validate()
    {
        if (Store is not ("memory" or "redis"))
        {
            yield return $"{Section}:{nameof(Store)} must be 'memory' or 'redis' (was '{Store}').";
        }

        if (Store == "redis" && string.IsNullOrWhiteSpace(Redis))
        {
            yield return $"{Section}:{nameof(Redis)} must name the Redis server(s) when {nameof(Store)} is 'redis'.";
        }

        if (TimeoutMs is < 1 or > 60_000)
        {
            yield return $"{Section}:{nameof(TimeoutMs)} must be between 1 and 60000 (was {TimeoutMs}).";
        }

        if (TenantTtlSeconds < 86_400)
        {
            yield return $"{Section}:{nameof(TenantTtlSeconds)} must be at least 86400, so a daily budget outlives its day (was {TenantTtlSeconds}).";
        }

        foreach (var error in Quota.Validate($"{Section}:{nameof(Quota)}"))
        {
            yield return error;
        }

        foreach (var (tenant, quota) in Tenants)
        {
            if (!PolicyOptions.IsValidTenantId(tenant))
            {
                yield return $"{Section}:{nameof(Tenants)}:{tenant} is not a valid tenant id (1-64 of A-Z a-z 0-9 . _ -).";
            }

            foreach (var error in quota.Validate($"{Section}:{nameof(Tenants)}:{tenant}"))
            {
                yield return error;
            }
        }

        foreach (var error in Anomaly.Validate($"{Section}:{nameof(Anomaly)}").Concat(Session.Validate($"{Section}:{nameof(Session)}")))
        {
            yield return error;
        }
    }
}

/// <summary>A tenant's quota: a token bucket of requests and a daily budget of characters (UTC days).</summary>
public sealed class QuotaOptions
{
    /// <summary>Bucket refill rate, requests per second. Default 1000.</summary>
    public double RequestsPerSecond { get; set; } = 1000;

    /// <summary>Bucket size: the most requests admitted at once after a quiet spell. Default 2000.</summary>
    public double Burst { get; set; } = 2000;

    /// <summary>Characters (text plus documents) screened per UTC day. Default 1,000,000,000.</summary>
    public double DailyChars { get; set; } = 1_000_000_000;

    /// <summary>A request costs (1 + RiskCostFactor × session risk) tokens and that many times its
    /// characters: a risky session burns its tenant's budget faster. Default 1.</summary>
    public double RiskCostFactor { get; set; } = 1;

    public IEnumerable<string> Validate(string prefix)
    {
        if (!(RequestsPerSecond > 0))
        {
            yield return $"{prefix}:{nameof(RequestsPerSecond)} must be above 0 (was {RequestsPerSecond.ToString(CultureInfo.InvariantCulture)}).";
        }

        if (!(Burst >= 1))
        {
            yield return $"{prefix}:{nameof(Burst)} must be at least 1 (was {Burst.ToString(CultureInfo.InvariantCulture)}).";
        }

        if (!(DailyChars >= 1))
        {
            yield return $"{prefix}:{nameof(DailyChars)} must be at least 1 (was {DailyChars.ToString(CultureInfo.InvariantCulture)}).";
        }

        if (!(RiskCostFactor >= 0))
        {
            yield return $"{prefix}:{nameof(RiskCostFactor)} must be 0 or more (was {RiskCostFactor.ToString(CultureInfo.InvariantCulture)}).";
        }
    }
}

/// <summary>
/// The tenant anomaly alarm. Requests fall into buckets of <see cref="BucketSeconds"/>; when a
/// bucket closes, its request count, flag-or-block share and mean detector score are compared to
/// EWMA baselines (mean and variance): a z-score at or above <see cref="RaiseZ"/> in any of them
/// raises the alarm, and a closed bucket with every z below <see cref="ClearZ"/> clears it. While
/// raised, the tenant's thresholds are lowered by <see cref="TightenStep"/> and the baselines learn
/// <see cref="AnomalousLearning"/> times as fast, so an attack does not quickly become normal.
/// </summary>
public sealed class AnomalyOptions
{
    /// <summary>Length of one bucket. Default 10 s.</summary>
    public int BucketSeconds { get; set; } = 10;

    /// <summary>EWMA weight of each closed bucket. Default 0.1.</summary>
    public double Alpha { get; set; } = 0.1;

    /// <summary>Closed buckets needed before the alarm can be raised. Default 12.</summary>
    public int MinBuckets { get; set; } = 12;

    /// <summary>z-score that raises the alarm. Default 4.</summary>
    public double RaiseZ { get; set; } = 4;

    /// <summary>z-score every metric must be below to clear it. Default 2.</summary>
    public double ClearZ { get; set; } = 2;

    /// <summary>How much every flag/block threshold drops while the alarm is raised. Default 0.1.</summary>
    public float TightenStep { get; set; } = 0.1f;

    /// <summary>Fraction of <see cref="Alpha"/> the baselines learn with while the alarm is raised. Default 0.1.</summary>
    public double AnomalousLearning { get; set; } = 0.1;

    /// <summary>Smallest standard deviation of the request count per bucket (also at least 10 % of its mean). Default 2.</summary>
    public double MinCountStd { get; set; } = 2;

    /// <summary>Smallest standard deviation of the flag share and of the mean score. Default 0.02.</summary>
    public double MinShareStd { get; set; } = 0.02;

    public IEnumerable<string> Validate(string prefix)
    {
        if (BucketSeconds is < 1 or > 86_400)
        {
            yield return $"{prefix}:{nameof(BucketSeconds)} must be between 1 and 86400 (was {BucketSeconds}).";
        }

        if (Alpha is <= 0 or > 1 || AnomalousLearning is < 0 or > 1)
        {
            yield return $"{prefix}:{nameof(Alpha)} must be in (0, 1] and {nameof(AnomalousLearning)} in [0, 1].";
        }

        if (MinBuckets < 1)
        {
            yield return $"{prefix}:{nameof(MinBuckets)} must be at least 1 (was {MinBuckets}).";
        }

        if (!(ClearZ < RaiseZ))
        {
            yield return $"{prefix}:{nameof(ClearZ)} must be below {nameof(RaiseZ)}.";
        }

        if (TightenStep is < 0 or > 1 || !(MinCountStd > 0) || !(MinShareStd > 0))
        {
            yield return $"{prefix}:{nameof(TightenStep)} must be in [0, 1], {nameof(MinCountStd)} and {nameof(MinShareStd)} above 0.";
        }
    }
}

/// <summary>
/// Conversation risk: each admitted turn adds weight(channel) × max(0, score − <see cref="Floor"/>),
/// where score is the turn's highest score in <see cref="Categories"/>; the sum halves every
/// <see cref="HalfLifeSeconds"/>. At <see cref="FlagAt"/> the session's turns are flagged; at
/// <see cref="BlockAt"/> they are blocked and the session is locked for <see cref="LockSeconds"/>.
/// Because turns add up, repeated near misses escalate even when no single turn crosses a threshold.
/// </summary>
public sealed class SessionRiskOptions
{
    /// <summary>Default 600 s.</summary>
    public int HalfLifeSeconds { get; set; } = 600;

    /// <summary>Scores at or below this add nothing (detector noise on benign turns). Default 0.2.</summary>
    public float Floor { get; set; } = 0.2f;

    /// <summary>Default 1.0.</summary>
    public double FlagAt { get; set; } = 1.0;

    /// <summary>Default 2.0.</summary>
    public double BlockAt { get; set; } = 2.0;

    /// <summary>Cool-down after reaching <see cref="BlockAt"/>; 0 never locks. Default 300 s.</summary>
    public int LockSeconds { get; set; } = 300;

    /// <summary>A session is forgotten after this long without a turn. Default 1800 s.</summary>
    public int IdleSeconds { get; set; } = 1800;

    /// <summary>Weights per channel: user_prompt 1.0, document 1.0, tool_output 1.0, model_output 0.5.</summary>
    public Dictionary<string, double> ChannelWeights { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["user_prompt"] = 1.0, ["document"] = 1.0, ["tool_output"] = 1.0, ["model_output"] = 0.5,
    };

    /// <summary>Detector categories whose scores count as risk (PII and secrets do not: sharing an
    /// e-mail address is not an attack). Default "injection,smuggling,adversarial_suffix,canary".</summary>
    public string Categories { get; set; } = "injection,smuggling,adversarial_suffix,canary";

    public double WeightOf(Channel channel) => ChannelWeights.TryGetValue(ChannelNames.Name(channel), out var weight) ? weight : 1.0;

    public IReadOnlyList<string> CategoryList() => Categories.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public IEnumerable<string> Validate(string prefix)
    {
        if (HalfLifeSeconds < 1 || IdleSeconds < 1 || LockSeconds < 0)
        {
            yield return $"{prefix}: {nameof(HalfLifeSeconds)} and {nameof(IdleSeconds)} must be at least 1, {nameof(LockSeconds)} at least 0.";
        }

        if (Floor is < 0 or >= 1)
        {
            yield return $"{prefix}:{nameof(Floor)} must be in [0, 1) (was {Floor}).";
        }

        if (!(FlagAt > 0) || !(BlockAt >= FlagAt))
        {
            yield return $"{prefix}: {nameof(FlagAt)} must be above 0 and {nameof(BlockAt)} at least {nameof(FlagAt)}.";
        }

        foreach (var (channel, weight) in ChannelWeights)
        {
            if (!ChannelNames.All.Contains(channel, StringComparer.OrdinalIgnoreCase) || !(weight >= 0))
            {
                yield return $"{prefix}:{nameof(ChannelWeights)}:{channel} must be a channel ({string.Join(", ", ChannelNames.All)}) with a weight of 0 or more.";
            }
        }

        foreach (var category in CategoryList())
        {
            if (!DetectorCategory.All.Contains(category))
            {
                yield return $"{prefix}:{nameof(Categories)} names '{category}', not a category ({string.Join(", ", DetectorCategory.All)}).";
            }
        }
    }
}
