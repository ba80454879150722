using System.Collections.Frozen;
using Guardrail.Core.Screening;

namespace Guardrail.Core.Policy;

/// <summary>One category's thresholds, resolved.</summary>
public sealed record CategoryRule(float FlagAt, float BlockAt, bool Redact, IReadOnlySet<Channel> Channels, bool FailClosed = false);

/// <summary>The policy a request is decided by: thresholds and actions per category, canaries.</summary>
public sealed class TenantPolicy
{
    /// <summary>No threshold is tightened below this: a tightened policy still ignores noise.</summary>
    public const float LowestTightenedThreshold = 0.05f;

    private TenantPolicy? _tightened;

    private TenantPolicy(string tenantId, string version, FrozenDictionary<string, CategoryRule> categories, IReadOnlyList<string> canaryTokens, bool stateFailClosed, bool anonymize, TenantRules rules, float tightenedBy = 0)
    {
        Rules = rules;
        Anonymize = anonymize;
        TenantId = tenantId;
        Version = version;
        Categories = categories;
        CanaryTokens = canaryTokens;
        StateFailClosed = stateFailClosed;
        TightenedBy = tightenedBy;
    }

    public string TenantId { get; }

    public string Version { get; }

    public FrozenDictionary<string, CategoryRule> Categories { get; }

    public IReadOnlyList<string> CanaryTokens { get; }

    /// <summary>When the state store cannot be reached: true answers UNAVAILABLE, false serves from
    /// a local in-memory fallback and marks the verdict.</summary>
    public bool StateFailClosed { get; }

    /// <summary>The tenant's own rules, compiled.</summary>
    public TenantRules Rules { get; }

    /// <summary>PII in a session's redacted texts becomes its placeholders (<see cref="PolicyOptions.Anonymize"/>).</summary>
    public bool Anonymize { get; }

    /// <summary>How much this policy's thresholds were lowered from the configured ones (0: not tightened).</summary>
    public float TightenedBy { get; }

    /// <summary>This policy with every flag and block threshold lowered by <paramref name="step"/>
    /// (never below <see cref="LowestTightenedThreshold"/>; "never" thresholds above 1 stay never).
    /// Used while the tenant is anomalous; built once and cached.</summary>
    public TenantPolicy Tightened(float step)
    {
        if (step <= 0)
        {
            return this;
        }

        var cached = _tightened;
        if (cached is not null && cached.TightenedBy == step)
        {
            return cached;
        }

        static float Lower(float threshold, float step) => threshold > 1 ? threshold : Math.Max(LowestTightenedThreshold, threshold - step);
        var rules = Categories.ToFrozenDictionary(
            pair => pair.Key,
            pair => pair.Value with { FlagAt = Lower(pair.Value.FlagAt, step), BlockAt = Lower(pair.Value.BlockAt, step) }); // Lower keeps BlockAt ≥ FlagAt
        cached = new TenantPolicy(TenantId, Version, rules, CanaryTokens, StateFailClosed, Anonymize, Rules, step);
        _tightened = cached;
        return cached;
    }

    /// <summary>Builds from validated options (<see cref="PolicyOptions.Validate"/>).</summary>
    public static TenantPolicy From(PolicyOptions options)
    {
        var errors = options.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        var rules = options.Categories.ToDictionary(
            pair => pair.Key.ToLowerInvariant(),
            pair =>
            {
                ChannelNames.TryParseList(pair.Value.Channels, out var channels);
                return new CategoryRule(pair.Value.FlagAt, pair.Value.BlockAt, pair.Value.Redact, channels.ToHashSet(), pair.Value.FailClosed);
            });
        return new TenantPolicy(options.TenantId, options.Version, rules.ToFrozenDictionary(), [.. options.CanaryTokens], options.StateFailClosed, options.Anonymize, TenantRules.Compile(options.Rules));
    }

    public bool Applies(string category, Channel channel)
        => Categories.TryGetValue(category, out var rule) && rule.Channels.Contains(channel);
}
