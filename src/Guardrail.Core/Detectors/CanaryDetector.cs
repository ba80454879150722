using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;

namespace Guardrail.Core.Detectors;

/// <summary>
/// System-prompt leakage: a canary token (planted by the caller in its system prompt, or listed in
/// the tenant policy) appearing in the output. Looked for in the clean text, so zero-width
/// characters cannot split it, and case-insensitively in the skeleton, so look-alikes cannot
/// disguise it.
/// </summary>
public sealed class CanaryDetector : ITextDetector
{
    public string Name => "canary";

    public string Category => DetectorCategory.Canary;

    public string Model => "guardrail-canary";

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
        foreach (var token in context.CanaryTokens)
        {
            if (token.Length == 0)
            {
                continue;
            }

            var folded = TextNormalizer.Normalize(token).Skeleton;
            var at = text.Skeleton.IndexOf(folded, StringComparison.Ordinal);
            while (at >= 0)
            {
                var (start, end) = text.SkeletonToOriginal(at, at + folded.Length);
                findings.Add(new Finding(Name, Category, "canary-token", 1.0f, start, end));
                at = text.Skeleton.IndexOf(folded, at + folded.Length, StringComparison.Ordinal);
            }
        }
    }
}
