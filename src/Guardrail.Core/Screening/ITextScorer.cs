using Guardrail.Core.Normalization;

namespace Guardrail.Core.Screening;

/// <summary>An ML detector as the pipeline sees it: who it is, and why it cannot run (null when it
/// can). <see cref="Channels"/>, where set, are the only channels it reads (within those its
/// category's policy applies to): the document-injection detector reads documents and tool outputs.</summary>
public sealed record ModelDetector(string Name, string Category, string Model, string Version, string? UnavailableReason = null, IReadOnlyList<Channel>? Channels = null)
{
    public bool Reads(Channel channel) => Channels is null || Channels.Contains(channel);
}

/// <summary>One text for one detector; <see cref="Normalized"/>, where the caller has it, is
/// <see cref="TextNormalizer.Normalize"/> of <see cref="Text"/>, which an in-process scorer then
/// need not compute again (a remote one sends only the text).</summary>
public readonly record struct ScoringItem(string Text, string Detector, NormalizedText? Normalized = null);

/// <summary>
/// A detector's answer for one <see cref="ScoringItem"/>. <see cref="Start"/>/<see cref="End"/>
/// (UTF-16 indices into the item's text) are set only when the score reaches the detector's report
/// floor (-1 otherwise). <see cref="Model"/>/<see cref="Version"/> are those that actually scored it.
/// </summary>
public readonly record struct ItemScore(DetectorStatus Status, float Score, int Start, int End, string Model, string Version, string? Reason)
{
    public bool HasSpan => Start >= 0;

    public static ItemScore NotRun(DetectorStatus status, ModelDetector detector, string reason)
        => new(status, 0, -1, -1, detector.Model, detector.Version, reason);
}

/// <summary>
/// Where the ML detectors run: in this process (embedded mode, dynamic batchers over ONNX Runtime)
/// or on detector workers (cluster mode). The pipeline hands over every (text, detector) pair of a
/// request at once, so an implementation can batch them with other requests' pairs.
/// </summary>
public interface ITextScorer
{
    /// <summary>The ML detectors, in the order they report.</summary>
    IReadOnlyList<ModelDetector> Detectors { get; }

    /// <summary>One answer per item, in order. Never throws for a detector that cannot answer: its
    /// items come back <see cref="DetectorStatus.TimedOut"/> or <see cref="DetectorStatus.Failed"/>
    /// with the reason, so the tenant's fail mode decides. Throws only when cancelled.</summary>
    Task<ItemScore[]> ScoreAsync(IReadOnlyList<ScoringItem> items, DateTimeOffset deadline, CancellationToken cancellationToken);
}
