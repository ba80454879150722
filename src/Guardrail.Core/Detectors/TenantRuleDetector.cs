using System.Text.RegularExpressions;
using Guardrail.Core.Normalization;
using Guardrail.Core.Policy;
using Guardrail.Core.Screening;

namespace Guardrail.Core.Detectors;

/// <summary>
/// The tenant's ban lists and regexes (<see cref="TenantRules"/>): phrases on the text's skeleton
/// (case, marks, look-alike letters and invisible characters undone), regexes on its clean form,
/// both also on decoded hidden payloads, so "Acme Corp"
/// written with a Cyrillic A or in base64 is still found. Spans map back to the original text. A
/// regex that runs past its time bound flags the text as rule "NAME:timeout". The tenant's banned
/// topics are scored by the sentence encoder in the pipeline and reported under this detector too.
/// </summary>
public sealed class TenantRuleDetector : ITextDetector
{
    public const string DetectorName = "tenant-rules";

    public string Name => DetectorName;

    public string Category => TenantRules.Category;

    public string Model => "guardrail-tenant-rules";

    public string Version => "1.0.0";

    public bool ScansHiddenPayloads => true;

    public float Scan(NormalizedText text, in ScanContext context, List<Finding> findings)
    {
        var score = 0f;
        foreach (var rule in context.Rules?.Bans ?? [])
        {
            if (!rule.Channels.Contains(context.Channel))
            {
                continue;
            }

            try
            {
                // Phrases on the skeleton (look-alikes folded), regexes on the clean text (case kept).
                var onSkeleton = rule.Regex is null;
                foreach (var (start, end) in rule.Occurrences(onSkeleton ? text.Skeleton : text.Clean))
                {
                    var (from, to) = onSkeleton ? text.SkeletonToOriginal(start, end) : text.CleanToOriginal(start, end);
                    findings.Add(new Finding(Name, Category, rule.Name, 1f, from, to));
                    score = 1f;
                }
            }
            catch (RegexMatchTimeoutException)
            {
                findings.Add(new Finding(Name, Category, rule.Name + ":timeout", 0.5f, 0, text.Original.Length));
                score = Math.Max(score, 0.5f);
            }
        }

        return score;
    }
}
