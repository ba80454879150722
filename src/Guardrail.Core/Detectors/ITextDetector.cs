using Guardrail.Core.Normalization;
using Guardrail.Core.Policy;
using Guardrail.Core.Screening;

namespace Guardrail.Core.Detectors;

/// <summary>What a detector knows about the text it scans besides the text.</summary>
public readonly record struct ScanContext(Channel Channel, IReadOnlyList<string> CanaryTokens, TenantRules? Rules = null);

/// <summary>
/// A cheap in-process detector: scans one normalised text and appends findings whose spans are in
/// the original text. Must be thread-safe and allocation-light: it runs on every request.
/// </summary>
public interface ITextDetector
{
    /// <summary>Name in findings and detector runs, e.g. "pii".</summary>
    string Name { get; }

    /// <summary>The policy category of its findings (see <see cref="DetectorCategory"/>).</summary>
    string Category { get; }

    string Model { get; }

    string Version { get; }

    /// <summary>False for detectors that look at the characters themselves rather than the content,
    /// which are not run again on decoded hidden payloads.</summary>
    bool ScansHiddenPayloads { get; }

    /// <summary>Appends findings and returns the detector's own score for this text (0..1): the
    /// highest finding for rule detectors; the model's score, finding or not, for ML detectors.</summary>
    float Scan(NormalizedText text, in ScanContext context, List<Finding> findings);
}
