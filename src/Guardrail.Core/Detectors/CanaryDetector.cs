using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;

namespace Guardrail.Core.Detectors;

/// <summary>
/// System-prompt leakage: a canary token (planted by the caller in its system prompt, or listed in
/// the tenant policy) appearing in the output. Matched on letters and digits alone, in the
/// skeleton: zero-width characters, case, look-alike letters and separators a model or an attacker
/// puts in ("zx canary 42", "ZX.CANARY.4-2") cannot disguise it. Base64, hex and the other
/// encodings reach this detector decoded (<see cref="ScansHiddenPayloads"/>).
/// </summary>
public sealed class CanaryDetector : ITextDetector
{
    /// <summary>Tokens with fewer letters and digits than this are matched as written (in the
    /// skeleton) only: a short token's letters run together across words of ordinary text by chance.</summary>
    public const int MinSeparatorFreeChars = 8;

    public string Name => "canary";

    public string Category => DetectorCategory.Canary;

    public string Model => "guardrail-canary";

    public string Version => "1.1.0";

    public bool ScansHiddenPayloads => true;

    public float Scan(NormalizedText text, in ScanContext context, List<Finding> findings)
    {
        var first = findings.Count;
        ScanInto(text, context, findings);
        return RuleScores.Max(findings, first);
    }

    private void ScanInto(NormalizedText text, in ScanContext context, List<Finding> findings)
    {
        LettersAndDigits? compact = null;
        foreach (var token in context.CanaryTokens)
        {
            var folded = TextNormalizer.Normalize(token).Skeleton;
            var wanted = LettersAndDigits.Of(folded).Text;
            if (wanted.Length >= MinSeparatorFreeChars)
            {
                compact ??= LettersAndDigits.Of(text.Skeleton);
                Report(text, compact.Text, wanted, (s, e) => compact.ToSkeleton(s, e), findings);
            }
            else if (folded.Length > 0)
            {
                Report(text, text.Skeleton, folded, (s, e) => (s, e), findings);
            }
        }
    }

    private void Report(NormalizedText text, string haystack, string needle, Func<int, int, (int Start, int End)> toSkeleton, List<Finding> findings)
    {
        for (var at = haystack.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = haystack.IndexOf(needle, at + needle.Length, StringComparison.Ordinal))
        {
            var (skeletonStart, skeletonEnd) = toSkeleton(at, at + needle.Length);
            var (start, end) = text.SkeletonToOriginal(skeletonStart, skeletonEnd);
            findings.Add(new Finding(Name, Category, "canary-token", 1.0f, start, end));
        }
    }

    /// <summary>A text's letters and digits only, with where each came from.</summary>
    private sealed class LettersAndDigits(string text, int[] positions)
    {
        public string Text { get; } = text;

        public static LettersAndDigits Of(string text)
        {
            var kept = new System.Text.StringBuilder(text.Length);
            var positions = new List<int>(text.Length);
            for (var i = 0; i < text.Length; i++)
            {
                if (char.IsLetterOrDigit(text[i]))
                {
                    kept.Append(text[i]);
                    positions.Add(i);
                }
            }

            return new LettersAndDigits(kept.ToString(), [.. positions]);
        }

        /// <summary>A span of <see cref="Text"/> as a span of the text it was taken from.</summary>
        public (int Start, int End) ToSkeleton(int start, int end) => (positions[start], positions[end - 1] + 1);
    }
}
