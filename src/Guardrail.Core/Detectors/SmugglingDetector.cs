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
            findings.Add(new Finding(Name, Category, RuleFor(run), ScoreOf(run), run.Start, run.End));
        }
    }

    /// <summary>The rule an invisible run is reported under (also how its payload was hidden).</summary>
    internal static string RuleFor(HiddenRun run) => run.Kind switch
    {
        HiddenKind.TagCharacters => "tag-characters",
        HiddenKind.VariationSelectors => "variation-selector-payload",
        HiddenKind.ZeroWidthRun => "zero-width-run",
        HiddenKind.ZeroWidthInWord => "zero-width-in-word",
        HiddenKind.BidiOverride => "bidi-override",
        HiddenKind.BidiEmbedding => "bidi-embedding",
        HiddenKind.MixedScriptWord => "mixed-script-word",
        _ => "unknown",
    };

    private static float ScoreOf(HiddenRun run) => run.Kind switch
    {
        HiddenKind.TagCharacters => run.Payload is null ? 0.6f : 0.9f,
        HiddenKind.VariationSelectors => 0.9f,
        HiddenKind.ZeroWidthRun => run.Payload is not null ? 0.9f : run.End - run.Start >= 8 ? 0.7f : 0.5f,
        HiddenKind.ZeroWidthInWord or HiddenKind.BidiOverride or HiddenKind.MixedScriptWord => 0.6f,
        HiddenKind.BidiEmbedding => 0.3f,
        _ => 0.5f,
    };
}
