using Guardrail.Core.Detectors;
using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;
using Guardrail.Detection.Features;
using Guardrail.Detection.Models;
using Guardrail.Onnx;

namespace Guardrail.Detection.Detectors;

/// <summary>
/// The ML injection/jailbreak detector: every window of the skeleton is featurised and scored by
/// the ONNX classifier in padded batches; the best window's calibrated score is the text's score,
/// and a finding (with the window's span) is reported from <see cref="ReportFloor"/> up.
/// </summary>
public sealed class InjectionClassifierDetector(InferenceSession session, ModelCard card, InjectionFeaturizer featurizer, int maxBatch = 64) : ITextDetector
{
    /// <summary>Calibrated scores below this give no finding (the run still shows the score).</summary>
    public const float ReportFloor = 0.25f;

    public string Name => "injection-classifier";

    public string Category => DetectorCategory.Injection;

    public string Model => card.Name;

    public string Version => card.Version;

    public bool ScansHiddenPayloads => true;

    public float Scan(NormalizedText text, in ScanContext context, List<Finding> findings)
    {
        var skeleton = text.Skeleton;
        var windows = featurizer.Windows(skeleton.Length).ToList();
        var raw = ScoreWindows(skeleton, windows);
        var best = 0;
        for (var i = 1; i < raw.Length; i++)
        {
            best = raw[i] > raw[best] ? i : best;
        }

        var score = card.Calibration.Apply(raw[best]);
        if (score >= ReportFloor && skeleton.Length > 0)
        {
            var (start, end) = text.SkeletonToOriginal(windows[best].Start, windows[best].End);
            findings.Add(new Finding(Name, Category, "injection-classifier", score, start, end));
        }

        return score;
    }

    /// <summary>Calibrated scores of many texts (the best window of each), batched across texts:
    /// what evaluation and benchmarks measure.</summary>
    public float[] ScoreTexts(IReadOnlyList<string> texts)
    {
        var rows = new List<(int Text, string Skeleton, int Start, int End)>();
        for (var t = 0; t < texts.Count; t++)
        {
            var skeleton = TextNormalizer.Normalize(texts[t]).Skeleton;
            rows.AddRange(featurizer.Windows(skeleton.Length).Select(w => (t, skeleton, w.Start, w.End)));
        }

        var scores = new float[texts.Count];
        var raw = Score(rows.Count, i => rows[i].Skeleton.AsSpan(rows[i].Start, rows[i].End - rows[i].Start));
        for (var i = 0; i < rows.Count; i++)
        {
            scores[rows[i].Text] = Math.Max(scores[rows[i].Text], card.Calibration.Apply(raw[i]));
        }

        return scores;
    }

    private float[] ScoreWindows(string skeleton, List<(int Start, int End)> windows)
        => Score(windows.Count, i => skeleton.AsSpan(windows[i].Start, windows[i].End - windows[i].Start));

    private float[] Score(int count, SpanOf window)
    {
        var features = featurizer.MaxFeatures;
        var raw = new float[count];
        foreach (var (start, n) in PaddedBatch.Split(count, maxBatch))
        {
            var rows = PaddedBatch.Rows(n, maxBatch);
            var ids = new long[rows * features];
            for (var r = 0; r < n; r++)
            {
                featurizer.Featurize(window(start + r), ids.AsSpan(r * features, features));
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var output = session.Run([TensorInput.Int64("ids", ids, rows, features)], "score", out _);
            InferenceMetrics.Batch(card.Name, n, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            output.AsSpan(0, n).CopyTo(raw.AsSpan(start, n));
        }

        return raw;
    }

    private delegate ReadOnlySpan<char> SpanOf(int index);
}
