using System.Text.RegularExpressions;
using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;

namespace Guardrail.Core.Detectors;

/// <summary>
/// The rule-based prompt-injection and jailbreak baseline: <see cref="InjectionRules"/>, each compiled
/// as a non-backtracking regex (linear time on untrusted input, whatever it holds), run on
/// the skeleton so homoglyphs, full-width letters and zero-width splitting do not hide a phrase.
/// </summary>
public sealed class InjectionRuleDetector : ITextDetector
{
    // Strongest first, so a weaker rule inside a stronger match is recognised as the same evidence.
    private static readonly (string Name, float Weight, Regex Pattern)[] Rules = Compile(InjectionRules.All);

    // One pass over the text that says whether any rule can match: benign text (nearly all of it)
    // stops here, and only texts that hit run the rules one by one to collect each rule's evidence.
    // The union is larger than the engine's default automaton limit, so the limit is raised for it.
    private static readonly Regex AnyRule = CreateUnion(InjectionRules.All);

    // The rules for content that should be data, run only on documents and tool outputs.
    private static readonly (string Name, float Weight, Regex Pattern)[] DataRules = Compile(InjectionRules.InData);

    private static readonly Regex AnyDataRule = CreateUnion(InjectionRules.InData);

    public string Name => "injection-rules";

    public string Category => DetectorCategory.Injection;

    public string Model => "guardrail-injection-rules";

    public string Version => "1.0.0";

    public bool ScansHiddenPayloads => true;

    public float Scan(NormalizedText text, in ScanContext context, List<Finding> findings)
    {
        var first = findings.Count;
        ScanInto(text, context, findings);
        return RuleScores.Max(findings, first);
    }

    private void ScanInto(NormalizedText text, in ScanContext context, List<Finding> findings)
    {
        var first = findings.Count;
        if (AnyRule.IsMatch(text.Skeleton))
        {
            Match(text, Rules, findings, first);
        }

        if (context.Channel is Channel.Document or Channel.ToolOutput && AnyDataRule.IsMatch(text.Skeleton))
        {
            Match(text, DataRules, findings, first);
        }
    }

    private void Match(NormalizedText text, (string Name, float Weight, Regex Pattern)[] rules, List<Finding> findings, int first)
    {
        foreach (var (name, weight, pattern) in rules)
        {
            foreach (var m in pattern.EnumerateMatches(text.Skeleton))
            {
                var (start, end) = text.SkeletonToOriginal(m.Index, m.Index + m.Length);
                if (!InsideStrongerMatch(findings, first, start, end, weight))
                {
                    findings.Add(new Finding(Name, Category, name, weight, start, end));
                }
            }
        }
    }

    /// <summary>A weaker rule matching inside a stronger rule's match is the same evidence twice
    /// (e.g. "ignore all previous instructions" is also "ignore all instructions"): it must not add
    /// to the noisy-or.</summary>
    private static bool InsideStrongerMatch(List<Finding> findings, int first, int start, int end, float weight)
    {
        for (var i = first; i < findings.Count; i++)
        {
            if (findings[i].Score >= weight && findings[i].Start <= start && end <= findings[i].End)
            {
                return true;
            }
        }

        return false;
    }

    private static (string Name, float Weight, Regex Pattern)[] Compile((string Name, float Weight, string Pattern)[] rules) => rules
        .OrderByDescending(rule => rule.Weight)
        .Select(rule => (rule.Name, rule.Weight, new Regex(rule.Pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)))
        .ToArray();

    private static Regex CreateUnion((string Name, float Weight, string Pattern)[] rules)
    {
        const string limitKey = "REGEX_NONBACKTRACKING_MAX_AUTOMATA_SIZE";
        if (AppContext.GetData(limitKey) is not int limit || limit < 100_000)
        {
            AppContext.SetData(limitKey, 100_000);
        }

        return new Regex(
            string.Join('|', rules.Select(rule => $"(?:{rule.Pattern})")),
            RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture);
    }
}
