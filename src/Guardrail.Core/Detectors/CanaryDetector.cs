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
        foreach (var token in context.CanaryTokens)
        {
            var folded = TextNormalizer.Normalize(token).Skeleton;
            if (LettersAndDigits(folded) >= MinSeparatorFreeChars)
            {
                ReportSeparatorFree(text, folded, findings);
            }
            else if (folded.Length > 0)
            {
                for (var at = text.Skeleton.IndexOf(folded, StringComparison.Ordinal); at >= 0; at = text.Skeleton.IndexOf(folded, at + folded.Length, StringComparison.Ordinal))
                {
                    Report(text, at, at + folded.Length, findings);
                }
            }
        }
    }

    /// <summary>Each place the token's letters and digits appear in order in the skeleton with only
    /// other characters between them, left to right without overlap. Walked in place: a compacted
    /// copy of the text and its position map cost 11.7 KB per 1,000-character text, on every
    /// output screened with a canary.</summary>
    private void ReportSeparatorFree(NormalizedText text, string token, List<Finding> findings)
    {
        var skeleton = text.Skeleton;
        var first = FirstLetterOrDigit(token, 0);
        for (var start = 0; start < skeleton.Length; start++)
        {
            if (skeleton[start] != token[first])
            {
                continue;
            }

            // Match the token's letters and digits one by one, skipping everything else on both sides.
            int at = start + 1, wanted = FirstLetterOrDigit(token, first + 1), last = start;
            while (wanted < token.Length && at < skeleton.Length)
            {
                var c = skeleton[at];
                if (char.IsLetterOrDigit(c))
                {
                    if (c != token[wanted])
                    {
                        break;
                    }

                    last = at;
                    wanted = FirstLetterOrDigit(token, wanted + 1);
                }

                at++;
            }

            if (wanted >= token.Length)
            {
                Report(text, start, last + 1, findings);
                start = last;
            }
        }
    }

    private void Report(NormalizedText text, int skeletonStart, int skeletonEnd, List<Finding> findings)
    {
        var (start, end) = text.SkeletonToOriginal(skeletonStart, skeletonEnd);
        findings.Add(new Finding(Name, Category, "canary-token", 1.0f, start, end));
    }

    private static int FirstLetterOrDigit(string text, int from)
    {
        while (from < text.Length && !char.IsLetterOrDigit(text[from]))
        {
            from++;
        }

        return from;
    }

    private static int LettersAndDigits(string text)
    {
        var count = 0;
        foreach (var c in text)
        {
            count += char.IsLetterOrDigit(c) ? 1 : 0;
        }

        return count;
    }
}
