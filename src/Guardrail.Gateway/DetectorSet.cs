using Guardrail.Core.Detectors;
using Guardrail.Core.Screening;
using Guardrail.Detection.Detectors;
using Guardrail.Onnx;

namespace Guardrail.Gateway;

/// <summary>The gateway's detectors: the cheap in-process ones, then the ML ones through ONNX
/// Runtime (unless disabled), with the configured shadow set.</summary>
public sealed class DetectorSet
{
    private readonly MlDetectors.Loaded? _ml;
    private readonly IReadOnlySet<string> _shadow;

    public DetectorSet(DetectionOptions detection, OnnxRuntimeOptions onnx)
    {
        _shadow = detection.ShadowSet;
        _ml = detection.Enabled ? MlDetectors.Load(detection, onnx) : null;
        ITextDetector[] detectors = [.. ScreeningPipeline.CheapDetectors(), .. _ml?.Detectors ?? []];
        Pipeline = new ScreeningPipeline(detectors, _shadow);
        Models = [.. detectors.Select(d => (d.Name, d.Model, d.Version, d.UnavailableReason is not null ? "unavailable" : _shadow.Contains(d.Name) ? "shadow" : "active"))];
    }

    /// <summary>Each detector's model, version and status here: active, shadow or unavailable.</summary>
    public IReadOnlyList<(string Detector, string Model, string Version, string Status)> Models { get; }

    public ScreeningPipeline Pipeline { get; }

    public void Report(ILogger logger)
    {
        if (_ml is null)
        {
            GatewayLog.DetectionNote(logger, "ML detectors disabled (Guardrail:Detection:Enabled=false)");
            return;
        }

        foreach (var note in _ml.Notes)
        {
            GatewayLog.DetectionNote(logger, note);
        }

        foreach (var detector in _ml.Detectors.Where(d => d.UnavailableReason is not null))
        {
            GatewayLog.DetectorUnavailable(logger, detector.Name, _shadow.Contains(detector.Name) ? "shadow, verdicts unaffected" : "its category's fail mode applies", detector.UnavailableReason!);
        }
    }
}
