using System.Collections.Frozen;
using Guardrail.Core.Screening;

namespace Guardrail.Core.Policy;

/// <summary>One category's thresholds, resolved.</summary>
public sealed record CategoryRule(float FlagAt, float BlockAt, bool Redact, IReadOnlySet<Channel> Channels, bool FailClosed = false);

/// <summary>The policy a request is decided by: thresholds and actions per category, canaries.</summary>
public sealed class TenantPolicy
{
    private TenantPolicy(string tenantId, string version, FrozenDictionary<string, CategoryRule> categories, IReadOnlyList<string> canaryTokens)
    {
        TenantId = tenantId;
        Version = version;
        Categories = categories;
        CanaryTokens = canaryTokens;
    }

    public string TenantId { get; }

    public string Version { get; }

    public FrozenDictionary<string, CategoryRule> Categories { get; }

    public IReadOnlyList<string> CanaryTokens { get; }

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
        return new TenantPolicy(options.TenantId, options.Version, rules.ToFrozenDictionary(), [.. options.CanaryTokens]);
    }

    public bool Applies(string category, Channel channel)
        => Categories.TryGetValue(category, out var rule) && rule.Channels.Contains(channel);
}
