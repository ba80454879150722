using Guardrail.Core.Detectors;
using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;

namespace Guardrail.Core.Tests;

/// <summary>Runs one detector on one text, as the pipeline would.</summary>
internal static class Scan
{
    public static List<Finding> With(ITextDetector detector, string text, Channel channel = Channel.UserPrompt, params string[] canaries)
    {
        var findings = new List<Finding>();
        detector.Scan(TextNormalizer.Normalize(text), new ScanContext(channel, canaries), findings);
        return findings;
    }

    public static string Covered(this Finding finding, string text) => text[finding.Start..finding.End];
}
