using System.Text.RegularExpressions;

namespace Guardrail.Core.Policy;

/// <summary>
/// One of a tenant's own rules (Guardrail:Policy:Rules:N, or the tenant policy's rules):
/// <list type="bullet">
/// <item><c>ban</c>: literal phrases, matched case-insensitively on the normalised text (homoglyphs,
/// zero-width characters and hidden payloads undone);</item>
/// <item><c>ban_regex</c>: one .NET regular expression, compiled non-backtracking (linear time; no
/// backreferences or lookarounds) with a per-request time bound;</item>
/// <item><c>allow</c>: phrases that exempt a finding whose span lies inside one of them;</item>
/// <item><c>topic</c>: a sentence describing a banned topic, matched by the sentence encoder's
/// cosine similarity at <see cref="Threshold"/>.</item>
/// </list>
/// Bans and topics act by <see cref="Action"/>; every rule applies to <see cref="Channels"/>.
/// </summary>
public sealed partial class TenantRuleOptions
{
    public const int MaxRules = 64;
    public const int MaxPhrases = 1000;
    public const int MaxPhraseChars = 256;
    public const int MaxPatternChars = 1000;
    public const int MaxTopicChars = 500;

    public static readonly IReadOnlyList<string> Kinds = ["ban", "ban_regex", "allow", "topic"];
    public static readonly IReadOnlyList<string> Actions = ["block", "flag", "redact"];

    /// <summary>Unique in the policy; findings carry it as their rule. 1-64 of a-z 0-9 _ -.</summary>
    public string Name { get; set; } = string.Empty;

    public string Kind { get; set; } = string.Empty;

    public List<string> Phrases { get; set; } = [];

    public string Pattern { get; set; } = string.Empty;

    public string Topic { get; set; } = string.Empty;

    /// <summary>topic: the cosine similarity (0-1] at which a text is on the topic. Default 0.3:
    /// measured on 16 prompts against 4 topics, on-topic prompts scored 0.25-0.51 and others
    /// -0.07-0.19 (README, "Tenant rules"); tune it per topic.</summary>
    public float Threshold { get; set; } = 0.3f;

    /// <summary>Comma-separated channels; empty for all.</summary>
    public string Channels { get; set; } = string.Empty;

    /// <summary>block (default), flag or redact (ban and ban_regex: the matched text).</summary>
    public string Action { get; set; } = "block";

    /// <summary>Every problem with the rules, each naming its rule.</summary>
    public static IEnumerable<string> Validate(IReadOnlyList<TenantRuleOptions> rules, string prefix)
    {
        if (rules.Count > MaxRules)
        {
            yield return $"{prefix} has {rules.Count} rules; the limit is {MaxRules}.";
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var where = $"{prefix}:{i} '{rule.Name}'";
            if (!NamePattern().IsMatch(rule.Name))
            {
                yield return $"{where}: name must be 1-64 of a-z 0-9 _ - (findings carry it).";
            }
            else if (!names.Add(rule.Name))
            {
                yield return $"{where}: another rule has this name.";
            }

            if (!Kinds.Contains(rule.Kind))
            {
                yield return $"{where}: kind must be one of {string.Join(", ", Kinds)} (was '{rule.Kind}').";
                continue;
            }

            if (!Actions.Contains(rule.Action) || (rule.Action == "redact" && rule.Kind == "topic"))
            {
                yield return $"{where}: action must be block, flag{(rule.Kind == "topic" ? string.Empty : " or redact")} (was '{rule.Action}').";
            }

            if (!ChannelNames.TryParseList(rule.Channels, out _))
            {
                yield return $"{where}: channels '{rule.Channels}' must list channels from {string.Join(", ", ChannelNames.All)}, or be empty for all.";
            }

            foreach (var error in rule.Kind switch
            {
                "ban" or "allow" => PhraseErrors(rule),
                "ban_regex" => PatternErrors(rule),
                _ => TopicErrors(rule),
            })
            {
                yield return $"{where}: {error}";
            }
        }
    }

    private static IEnumerable<string> PhraseErrors(TenantRuleOptions rule)
    {
        if (rule.Phrases.Count is 0 or > MaxPhrases)
        {
            yield return $"needs 1-{MaxPhrases} phrases (has {rule.Phrases.Count}).";
        }

        foreach (var phrase in rule.Phrases.Where(p => string.IsNullOrWhiteSpace(p) || p.Length > MaxPhraseChars).Take(1))
        {
            yield return $"phrases must be 1-{MaxPhraseChars} characters and not blank (one has {phrase.Length}).";
        }
    }

    private static IEnumerable<string> PatternErrors(TenantRuleOptions rule)
    {
        if (rule.Pattern.Length is 0 or > MaxPatternChars)
        {
            yield return $"pattern must be 1-{MaxPatternChars} characters (has {rule.Pattern.Length}).";
            yield break;
        }

        var problem = TenantRules.CompileError(rule.Pattern);
        if (problem is not null)
        {
            yield return $"pattern does not compile as a non-backtracking regex: {problem}";
        }
    }

    private static IEnumerable<string> TopicErrors(TenantRuleOptions rule)
    {
        if (string.IsNullOrWhiteSpace(rule.Topic) || rule.Topic.Length > MaxTopicChars)
        {
            yield return $"topic must be a sentence of 1-{MaxTopicChars} characters.";
        }

        if (rule.Threshold is <= 0 or > 1 || float.IsNaN(rule.Threshold))
        {
            yield return $"threshold must be above 0 and at most 1 (was {rule.Threshold}).";
        }
    }

    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    private static partial Regex NamePattern();
}
