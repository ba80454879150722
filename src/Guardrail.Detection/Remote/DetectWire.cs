using Guardrail.Contracts.V1;
using Guardrail.Core.Screening;
using DetectorStatus = Guardrail.Core.Screening.DetectorStatus;

namespace Guardrail.Detection.Remote;

/// <summary>The one mapping between a scored item and its wire form, used by the worker (to the
/// wire) and the gateway (from it).</summary>
public static class DetectWire
{
    public static ModelScore ToWire(ItemScore score, string detector) => new()
    {
        Detector = detector,
        Model = score.Model,
        Version = score.Version,
        Status = score.Status switch
        {
            DetectorStatus.Ran => ScoreStatus.Scored,
            DetectorStatus.TimedOut => ScoreStatus.Expired,
            DetectorStatus.SkippedIsolated => ScoreStatus.Isolated,
            _ => ScoreStatus.Failed,
        },
        Score = score.Score,
        Span = score.HasSpan ? new TextSpan { Start = (uint)score.Start, End = (uint)score.End } : null,
        Reason = score.Reason ?? string.Empty,
    };

    public static ItemScore FromWire(ModelScore score, ModelDetector detector, string workerId) => score.Status switch
    {
        ScoreStatus.Scored => new ItemScore(DetectorStatus.Ran, score.Score, score.Span is { } span ? (int)span.Start : -1, score.Span is { } s ? (int)s.End : -1, score.Model, score.Version, null),
        ScoreStatus.Expired => new ItemScore(DetectorStatus.TimedOut, 0, -1, -1, score.Model, score.Version, $"detector worker {workerId}: {score.Reason}"),
        ScoreStatus.Isolated => new ItemScore(DetectorStatus.SkippedIsolated, 0, -1, -1, score.Model, score.Version, $"detector worker {workerId}: {score.Reason}"),
        _ => new ItemScore(DetectorStatus.Failed, 0, -1, -1, score.Model.Length > 0 ? score.Model : detector.Model, score.Version.Length > 0 ? score.Version : detector.Version, $"detector worker {workerId}: {score.Reason}"),
    };
}
