using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;
using Guardrail.Detection.Features;
using Guardrail.Detection.Models;
using Guardrail.Onnx;

namespace Guardrail.Detection.Detectors;

/// <summary>
/// An ML detector (injection classifier, adversarial-suffix detector): every window of each text
/// is featurised and scored by the ONNX model in padded batches, across texts (block-window
/// models by <see cref="BlockScoring"/>); a text's best
/// window's calibrated score is its score, and its span is reported from <see cref="ReportFloor"/> up.
/// </summary>
public sealed class WindowClassifierDetector(string name, string category, ModelSession session, ModelCard card, IWindowFeaturizer featurizer, int maxBatch = 64) : IScoringModel
{
    /// <summary>Calibrated scores below this give no span, hence no finding (the run still shows the score).</summary>
    public const float ReportFloor = 0.25f;

    private readonly BlockRuns _blockRuns = BlockRuns.For(session);

    public ModelDetector Detector { get; } = new(name, category, card.Name, card.Version);

    public string ExecutionProvider => session.ExecutionProvider;

    public TextScore[] ScoreBatch(IReadOnlyList<string> texts)
    {
        var normalized = texts.Select(TextNormalizer.Normalize).ToArray();
        var views = normalized.Select(featurizer.View).ToArray();
        var rows = new List<(int Text, int Start, int End)>();
        for (var t = 0; t < normalized.Length; t++)
        {
            rows.AddRange(featurizer.Windows(views[t].Length).Select(w => (t, w.Start, w.End)));
        }

        var raw = featurizer is IBlockWindowFeaturizer blocks
            ? BlockScoring.Score(session, card.Name, blocks, views, rows.Count, maxBatch, _blockRuns)
            : Score(rows.Count, (i, ids) => featurizer.Featurize(views[rows[i].Text], rows[i].Start, rows[i].End, ids));
        var best = Enumerable.Repeat(-1, normalized.Length).ToArray();
        for (var i = 0; i < rows.Count; i++)
        {
            var t = rows[i].Text;
            best[t] = best[t] < 0 || raw[i] > raw[best[t]] ? i : best[t];
        }

        var scores = new TextScore[normalized.Length];
        for (var t = 0; t < normalized.Length; t++)
        {
            if (best[t] < 0)
            {
                scores[t] = new TextScore(0, -1, -1);
                continue;
            }

            var score = card.Calibration.Apply(raw[best[t]]);
            var (start, end) = score >= ReportFloor && views[t].Length > 0
                ? featurizer.ToOriginal(normalized[t], rows[best[t]].Start, rows[best[t]].End)
                : (-1, -1);
            scores[t] = new TextScore(score, start, end);
        }

        return scores;
    }

    private float[] Score(int count, FeaturizeRow featurize)
    {
        var features = featurizer.MaxFeatures;
        var raw = new float[count];
        foreach (var (start, n) in PaddedBatch.Split(count, maxBatch))
        {
            var rows = PaddedBatch.Rows(n, maxBatch);
            var ids = PaddedBatch.ThreadIds(rows * features);
            for (var r = 0; r < n; r++)
            {
                featurize(start + r, ids.AsSpan(r * features, features));
            }

            ids.AsSpan(n * features, (rows - n) * features).Clear(); // padding rows: all id 0

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var output = session.Run([TensorInput.Int64("ids", ids, rows, features)], "logit", out _);
            InferenceMetrics.Batch(card.Name, n, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            output.AsSpan(0, n).CopyTo(raw.AsSpan(start, n));
        }

        return raw;
    }

    private delegate void FeaturizeRow(int index, Span<long> ids);
}
