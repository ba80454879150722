using Guardrail.Core.Detectors;
using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;

namespace Guardrail.Detection.Detectors;

/// <summary>Stands in for an ML detector whose runtime or model could not be loaded, so every
/// verdict shows it as failed with the reason and the tenant's fail mode applies.</summary>
public sealed class UnavailableDetector(string name, string category, string model, string version, string reason) : ITextDetector
{
    public string Name => name;

    public string Category => category;

    public string Model => model;

    public string Version => version;

    public bool ScansHiddenPayloads => false;

    public string? UnavailableReason => reason;

    public float Scan(NormalizedText text, in ScanContext context, List<Finding> findings)
        => throw new InvalidOperationException($"{name} is unavailable: {reason}");
}
