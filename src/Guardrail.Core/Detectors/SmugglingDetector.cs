using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;

namespace Guardrail.Core.Detectors;

/// <summary>
/// Reports the hidden and disguised characters the normaliser found. The decoded payloads are
/// scanned again by the content detectors (by the pipeline); this detector scores the hiding itself.
/// </summary>
public sealed class SmugglingDetector : ITextDetector
{
    public string Name => "smuggling";

    public string Category => DetectorCategory.Smuggling;

    public string Model => "guardrail-unicode-rules";

    public string Version => "1.0.0";

    public bool ScansHiddenPayloads => false;

    public float Scan(NormalizedText text, in ScanContext context, List<Finding> findings)
    {
        var first = findings.Count;
        ScanInto(text, context, findings);
        return RuleScores.Max(findings, first);
    }

    private void ScanInto(NormalizedText text, in ScanContext context, List<Finding> findings)
    {
        foreach (var run in text.Hidden)
        {
            var (rule, score) = run.Kind switch
            {
                HiddenKind.TagCharacters => ("tag-characters", run.Payload is null ? 0.6f : 0.9f),
                HiddenKind.VariationSelectors => ("variation-selector-payload", 0.9f),
                HiddenKind.ZeroWidthRun => ("zero-width-run", run.Payload is not null ? 0.9f : run.End - run.Start >= 8 ? 0.7f : 0.5f),
                HiddenKind.ZeroWidthInWord => ("zero-width-in-word", 0.6f),
                HiddenKind.BidiOverride => ("bidi-override", 0.6f),
                HiddenKind.BidiEmbedding => ("bidi-embedding", 0.3f),
                HiddenKind.MixedScriptWord => ("mixed-script-word", 0.6f),
                _ => ("unknown", 0.5f),
            };
            findings.Add(new Finding(Name, Category, rule, score, run.Start, run.End));
        }
    }
}
