using System.Buffers;
using System.Text.RegularExpressions;
using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;

namespace Guardrail.Core.Policy;

/// <summary>
/// A tenant's rules, compiled once per policy version (<see cref="TenantRuleOptions"/>): ban
/// phrases in one <see cref="SearchValues{T}"/> per rule, regexes non-backtracking with a match
/// time bound, allow phrases, topics. Their findings are category <see cref="Category"/>, rule =
/// the rule's name, and the rule's action decides (<see cref="VerdictEngine"/>).
/// </summary>
public sealed class TenantRules
{
    public const string Category = "tenant_rule";

    /// <summary>Longest one regex rule may run on one text; past it the rule flags the text
    /// (rule "NAME:timeout") instead of deciding.</summary>
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(20);

    public static readonly TenantRules None = new([]);

    private readonly Dictionary<string, CompiledRule> _byName;

    private TenantRules(IReadOnlyList<CompiledRule> rules)
    {
        Bans = [.. rules.Where(r => r.Kind is "ban" or "ban_regex")];
        Allows = [.. rules.Where(r => r.Kind == "allow")];
        Topics = [.. rules.Where(r => r.Kind == "topic")];
        _byName = rules.ToDictionary(r => r.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<CompiledRule> Bans { get; }

    public IReadOnlyList<CompiledRule> Allows { get; }

    public IReadOnlyList<CompiledRule> Topics { get; }

    public bool IsEmpty => _byName.Count == 0;

    /// <summary>Compiles validated rules (<see cref="TenantRuleOptions.Validate"/>).</summary>
    public static TenantRules Compile(IReadOnlyList<TenantRuleOptions> rules)
        => rules.Count == 0 ? None : new TenantRules([.. rules.Select(CompiledRule.From)]);

    /// <summary>Why <paramref name="pattern"/> cannot be a rule's regex, or null.</summary>
    public static string? CompileError(string pattern)
    {
        try
        {
            _ = CompiledRule.NewRegex(pattern);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return e.Message;
        }
    }

    /// <summary>The action of a finding of these rules: its rule's, FLAG for a timed-out regex.</summary>
    public Verdict ActionOf(string rule)
        => _byName.TryGetValue(rule, out var compiled) ? compiled.Action : Verdict.Flag;

    public bool AppliesBans(Channel channel) => Bans.Any(r => r.Channels.Contains(channel));

    public bool AppliesTopics(Channel channel) => Topics.Any(r => r.Channels.Contains(channel));

    /// <summary>The findings left once allow phrases exempt those inside them (canary leaks are
    /// never exempt: a leaked system prompt is not a tenant's wording to allow).</summary>
    public IReadOnlyList<Finding> Exempt(ScreenInput input, IReadOnlyList<Finding> findings)
    {
        if (Allows.Count == 0 || findings.Count == 0)
        {
            return findings;
        }

        var allowed = new Dictionary<string, List<(int Start, int End)>>(StringComparer.Ordinal);
        List<(int Start, int End)> SpansIn(string? documentId)
        {
            var key = documentId ?? string.Empty;
            if (!allowed.TryGetValue(key, out var spans))
            {
                var (text, channel) = documentId is null ? (input.Text, input.Channel) : (input.Documents.First(d => d.Id == documentId).Text, Channel.Document);
                allowed[key] = spans = [.. Allows.Where(r => r.Channels.Contains(channel)).SelectMany(r => r.Occurrences(text))];
            }

            return spans;
        }

        return [.. findings.Where(f => f.Category == DetectorCategory.Canary || !SpansIn(f.DocumentId).Any(s => s.Start <= f.Start && f.End <= s.End))];
    }
}

/// <summary>One compiled rule.</summary>
public sealed class CompiledRule
{
    private readonly string[] _longestFirst;

    private CompiledRule(TenantRuleOptions options, IReadOnlySet<Channel> channels, Verdict action, string[] phrases, Regex? regex)
    {
        _longestFirst = [.. phrases.Distinct(StringComparer.OrdinalIgnoreCase).OrderByDescending(p => p.Length)];
        Phrases = phrases.Length == 0 ? null : SearchValues.Create(_longestFirst, StringComparison.OrdinalIgnoreCase);
        Name = options.Name;
        Kind = options.Kind;
        Channels = channels;
        Action = action;
        Regex = regex;
        Topic = options.Topic;
        Threshold = options.Threshold;
    }

    public string Name { get; }

    public string Kind { get; }

    public IReadOnlySet<Channel> Channels { get; }

    /// <summary>What a match does: BLOCK, FLAG or REDACT (the matched text).</summary>
    public Verdict Action { get; }

    private SearchValues<string>? Phrases { get; }

    public Regex? Regex { get; }

    public string Topic { get; }

    public float Threshold { get; }

    internal static Regex NewRegex(string pattern)
        => new(pattern, RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TenantRules.RegexTimeout);

    internal static CompiledRule From(TenantRuleOptions options)
    {
        ChannelNames.TryParseList(options.Channels, out var channels);
        var action = options.Action switch { "flag" => Verdict.Flag, "redact" => Verdict.Redact, _ => Verdict.Block };
        // A ban phrase is matched on the text's skeleton (lower case, marks dropped, look-alike
        // letters mapped to Latin), so it is compiled to its own skeleton; allow phrases are matched
        // on the text as sent, where findings' spans are.
        string[] phrases = options.Kind switch
        {
            "ban" => [.. options.Phrases.Select(p => TextNormalizer.Normalize(p).Skeleton).Where(p => p.Length > 0)],
            "allow" => [.. options.Phrases],
            _ => [],
        };
        var regex = options.Kind == "ban_regex" ? NewRegex(options.Pattern) : null;
        Warm(regex);
        return new CompiledRule(options, channels.ToHashSet(), action, phrases, regex);
    }

    /// <summary>
    /// A NonBacktracking regex's first match builds its first automaton states and runs code the
    /// JIT has not compiled yet: tens of milliseconds in a cold process on a loaded machine, which
    /// the per-request bound (<see cref="TenantRules.RegexTimeout"/>) must not be charged for (a
    /// rule's first request was reported "timeout" on a busy 2-core machine). So the first match
    /// happens here, when the policy is compiled; its outcome does not matter.
    /// </summary>
    private static void Warm(Regex? regex)
    {
        try
        {
            _ = regex?.IsMatch("Warm-up text: words, INC-0000, 0123456789, e-mail@example.com.");
        }
        catch (RegexMatchTimeoutException)
        {
            // A cold start slower than the bound: the next match is warm.
        }
    }

    /// <summary>Where this rule's phrases or regex match in <paramref name="text"/>, in order.</summary>
    /// <exception cref="RegexMatchTimeoutException">the regex ran past <see cref="TenantRules.RegexTimeout"/>.</exception>
    public IEnumerable<(int Start, int End)> Occurrences(string text)
    {
        if (Regex is not null)
        {
            foreach (Match match in Regex.Matches(text))
            {
                if (match.Length > 0)
                {
                    yield return (match.Index, match.Index + match.Length);
                }
            }

            yield break;
        }

        var from = 0;
        while (Phrases is not null && from < text.Length)
        {
            var at = text.AsSpan(from).IndexOfAny(Phrases);
            if (at < 0)
            {
                yield break;
            }

            var start = from + at;
            var length = LongestPhraseAt(text, start);
            if (length > 0 && WholeWords(text, start, start + length))
            {
                yield return (start, start + length);
                from = start + length;
            }
            else
            {
                from = start + 1;
            }
        }
    }

    /// <summary>A phrase matches whole words: "ass" is not in "class", "ban" not in "bank".</summary>
    private static bool WholeWords(string text, int start, int end)
        => (start == 0 || !char.IsLetterOrDigit(text[start]) || !char.IsLetterOrDigit(text[start - 1]))
           && (end == text.Length || !char.IsLetterOrDigit(text[end - 1]) || !char.IsLetterOrDigit(text[end]));

    private int LongestPhraseAt(string text, int start)
    {
        // SearchValues says where some phrase starts, not which: the longest that starts there.
        var rest = text.AsSpan(start);
        foreach (var phrase in _longestFirst)
        {
            if (rest.StartsWith(phrase, StringComparison.OrdinalIgnoreCase))
            {
                return phrase.Length;
            }
        }

        return 0;
    }
}
