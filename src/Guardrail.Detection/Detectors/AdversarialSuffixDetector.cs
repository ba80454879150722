using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;
using Guardrail.Detection.Features;
using Guardrail.Detection.Models;
using Guardrail.Onnx;

namespace Guardrail.Detection.Detectors;

/// <summary>
/// The adversarial-suffix (GCG-style) detector: the clean text is cut into chunks, featurised per
/// character, and scored per window by the ONNX model in padded batches (rows padded to a power of
/// two, lengths to a multiple of 64); the best window's calibrated score is the text's score and
/// its span the finding's.
/// </summary>
public sealed class AdversarialSuffixDetector(InferenceSession session, ModelCard card, SuffixFeaturizer featurizer, int maxBatch = 64) : IScoringModel
{
    /// <summary>Calibrated scores below this give no span, hence no finding.</summary>
    public const float ReportFloor = 0.25f;

    public ModelDetector Detector { get; } = new("adversarial-suffix", DetectorCategory.AdversarialSuffix, card.Name, card.Version);

    public string ExecutionProvider => session.ExecutionProvider;

    public TextScore[] ScoreBatch(IReadOnlyList<string> texts)
    {
        var normalized = texts.Select(TextNormalizer.Normalize).ToArray();
        var best = Best([.. normalized.Select(n => n.Clean)]);
        var scores = new TextScore[normalized.Length];
        for (var t = 0; t < normalized.Length; t++)
        {
            var (raw, position) = best[t];
            var score = card.Calibration.Apply(raw);
            var (start, end) = score >= ReportFloor && position >= 0
                ? normalized[t].CleanToOriginal(position, position + featurizer.WindowChars)
                : (-1, -1);
            scores[t] = new TextScore(score, start, end);
        }

        return scores;
    }

    /// <summary>For each clean text: the best raw window score and where that window starts (-1: no full window).</summary>
    private (float Raw, int Position)[] Best(IReadOnlyList<string> cleanTexts)
    {
        var w = featurizer.WindowChars;
        var chunks = new List<(int Text, int Start, int End)>();
        for (var t = 0; t < cleanTexts.Count; t++)
        {
            if (cleanTexts[t].Length >= w)
            {
                chunks.AddRange(featurizer.Chunks(cleanTexts[t].Length).Select(c => (t, c.Start, c.End)));
            }
        }

        var best = Enumerable.Repeat((Raw: 0f, Position: -1), cleanTexts.Count).ToArray();
        foreach (var (first, n) in PaddedBatch.Split(chunks.Count, maxBatch))
        {
            var rows = PaddedBatch.Rows(n, maxBatch);
            var longest = chunks.Skip(first).Take(n).Max(c => c.End - c.Start);
            var length = Math.Max(w, (longest + 63) / 64 * 64);
            var ids = new long[rows * 2 * SuffixFeaturizer.Orders * length];
            var classes = new float[rows * SuffixFeaturizer.Classes * length];
            var mask = new float[rows * length];
            for (var r = 0; r < n; r++)
            {
                var (t, start, end) = chunks[first + r];
                featurizer.Featurize(cleanTexts[t], start, end, length,
                    ids.AsSpan(r * 2 * SuffixFeaturizer.Orders * length, 2 * SuffixFeaturizer.Orders * length),
                    classes.AsSpan(r * SuffixFeaturizer.Classes * length, SuffixFeaturizer.Classes * length),
                    mask.AsSpan(r * length, length));
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var scores = session.Run(
                [
                    TensorInput.Int64("ids", ids, rows, 2 * SuffixFeaturizer.Orders, length),
                    TensorInput.Float("classes", classes, rows, SuffixFeaturizer.Classes, length),
                    TensorInput.Float("mask", mask, rows, 1, length),
                ],
                "window_scores",
                out var shape);
            InferenceMetrics.Batch(card.Name, n, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            var windows = (int)shape[2];
            for (var r = 0; r < n; r++)
            {
                var (t, start, _) = chunks[first + r];
                for (var p = 0; p < windows; p++)
                {
                    var s = scores[(r * windows) + p];
                    if (s > best[t].Raw)
                    {
                        best[t] = (s, start + p);
                    }
                }
            }
        }

        return best;
    }
}
