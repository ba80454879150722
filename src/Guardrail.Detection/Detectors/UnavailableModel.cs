using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;

namespace Guardrail.Detection.Detectors;

/// <summary>Stands in for an ML model whose runtime or file could not be loaded, so every verdict
/// shows its detector as failed with the reason and the tenant's fail mode applies.</summary>
public sealed class UnavailableModel(string name, string category, string model, string version, string reason, IReadOnlyList<Channel>? channels = null) : IScoringModel
{
    public ModelDetector Detector { get; } = new(name, category, model, version, reason, channels);

    public string ExecutionProvider => string.Empty;

    public TextScore[] ScoreBatch(IReadOnlyList<string> texts)
        => throw new InvalidOperationException($"{name} is unavailable: {reason}");

    public TextScore[] Score(IReadOnlyList<NormalizedText> texts)
        => throw new InvalidOperationException($"{name} is unavailable: {reason}");
}
