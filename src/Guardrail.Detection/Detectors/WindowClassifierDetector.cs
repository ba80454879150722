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
/// The same model read sentence by sentence is the document-injection detector
/// (<see cref="ReadingSentences"/>): other windows, its own calibration, documents and tool
/// outputs only.
/// </summary>
public sealed class WindowClassifierDetector : IScoringModel
{
    /// <summary>Calibrated scores below this give no span, hence no finding (the run still shows the score).</summary>
    public const float ReportFloor = 0.25f;

    private readonly ModelSession _session;
    private readonly ModelCard _card;
    private readonly IWindowFeaturizer _featurizer;
    private readonly int _maxBatch;
    private readonly ScoreCalibration _calibration;
    private readonly Func<string, IEnumerable<(int Start, int End)>> _windows;
    private readonly BlockRuns _blockRuns;

    /// <summary>The graph takes rows of any width (3.0.1 on): a batch goes only as wide as its
    /// fullest row (<see cref="PaddedBatch.Width"/>); an older graph takes MaxFeatures ids a row.</summary>
    private readonly bool _anyWidth;

    public WindowClassifierDetector(string name, string category, ModelSession session, ModelCard card, IWindowFeaturizer featurizer, int maxBatch = 64)
        : this(new ModelDetector(name, category, card.Name, card.Version), session, card, featurizer, maxBatch, card.Calibration, view => featurizer.Windows(view.Length))
    {
    }

    private WindowClassifierDetector(ModelDetector detector, ModelSession session, ModelCard card, IWindowFeaturizer featurizer, int maxBatch, ScoreCalibration calibration, Func<string, IEnumerable<(int Start, int End)>> windows)
    {
        Detector = detector;
        _session = session;
        _card = card;
        _featurizer = featurizer;
        _maxBatch = maxBatch;
        _calibration = calibration;
        _windows = windows;
        _blockRuns = BlockRuns.For(session);
        _anyWidth = featurizer is not IBlockWindowFeaturizer && session.InputNames.Contains("ids") && session.InputDimensions("ids") is [_, -1];
    }

    /// <summary>The document-injection detector: this model's session (shared, not opened twice)
    /// scoring each sentence of a document or tool output alone (<see cref="SentenceSegments"/>), a
    /// text's best sentence deciding, on the card's segment calibration (set on clean documents,
    /// sentence by sentence), or <paramref name="calibration"/> where given (setting the card's: raw
    /// scores do not depend on it). Unavailable, saying why, for a card without one.</summary>
    public IScoringModel ReadingSentences(string name, ScoreCalibration? calibration = null)
    {
        calibration ??= _card.SegmentCalibration;
        if (_featurizer is not InjectionFeaturizer words || calibration is null)
        {
            return new UnavailableModel(name, Detector.Category, _card.Name, _card.Version,
                $"model card {_card.Name}@{_card.Version} has no segment calibration (guardrailctl train --model segments writes it)", DocumentChannels);
        }

        return new WindowClassifierDetector(new ModelDetector(name, Detector.Category, _card.Name, _card.Version, Channels: DocumentChannels), _session, _card, words, _maxBatch,
            calibration, view => SentenceSegments.Of(view, words.WindowChars, words.StrideChars));
    }

    /// <summary>Where content that should only be data comes from.</summary>
    public static readonly IReadOnlyList<Channel> DocumentChannels = [Channel.Document, Channel.ToolOutput];

    public ModelDetector Detector { get; }

    public string ExecutionProvider => _session.ExecutionProvider;

    public TextScore[] ScoreBatch(IReadOnlyList<string> texts) => Score([.. texts.Select(TextNormalizer.Normalize)]);

    public TextScore[] Score(IReadOnlyList<NormalizedText> normalized)
    {
        var (views, rows, raw) = ScoreRows(normalized);
        var best = BestRows(normalized.Count, rows, raw);

        var scores = new TextScore[normalized.Count];
        for (var t = 0; t < normalized.Count; t++)
        {
            if (best[t] < 0)
            {
                scores[t] = new TextScore(0, -1, -1);
                continue;
            }

            var score = _calibration.Apply(raw[best[t]]);
            var (start, end) = score >= ReportFloor && views[t].Length > 0
                ? _featurizer.ToOriginal(normalized[t], rows[best[t]].Start, rows[best[t]].End)
                : (-1, -1);
            scores[t] = new TextScore(score, start, end);
        }

        return scores;
    }

    /// <summary>Each text's best raw logit (before calibration; NaN for a text with no window): what
    /// calibration is set from.</summary>
    public float[] RawScores(IReadOnlyList<string> texts)
    {
        var (_, rows, raw) = ScoreRows([.. texts.Select(TextNormalizer.Normalize)]);
        return [.. BestRows(texts.Count, rows, raw).Select(i => i < 0 ? float.NaN : raw[i])];
    }

    private (string[] Views, List<(int Text, int Start, int End)> Rows, float[] Raw) ScoreRows(IReadOnlyList<NormalizedText> normalized)
    {
        var views = normalized.Select(_featurizer.View).ToArray();
        var rows = new List<(int Text, int Start, int End)>();
        for (var t = 0; t < normalized.Count; t++)
        {
            rows.AddRange(_windows(views[t]).Select(w => (t, w.Start, w.End)));
        }

        var raw = _featurizer is IBlockWindowFeaturizer blocks
            ? BlockScoring.Score(_session, _card.Name, blocks, views, rows.Count, _maxBatch, _blockRuns)
            : Score(rows.Count, (i, ids) => _featurizer.Featurize(views[rows[i].Text], rows[i].Start, rows[i].End, ids));
        return (views, rows, raw);
    }

    private static int[] BestRows(int texts, List<(int Text, int Start, int End)> rows, float[] raw)
    {
        var best = Enumerable.Repeat(-1, texts).ToArray();
        for (var i = 0; i < rows.Count; i++)
        {
            var t = rows[i].Text;
            best[t] = best[t] < 0 || raw[i] > raw[best[t]] ? i : best[t];
        }

        return best;
    }

    private float[] Score(int count, FeaturizeRow featurize)
    {
        var features = _featurizer.MaxFeatures;
        var raw = new float[count];
        foreach (var (start, n) in PaddedBatch.Split(count, _maxBatch))
        {
            var rows = PaddedBatch.Rows(n, _maxBatch);
            var ids = PaddedBatch.ThreadIds(rows * features);
            var widest = 0;
            for (var r = 0; r < n; r++)
            {
                widest = Math.Max(widest, featurize(start + r, ids.AsSpan(r * features, features)));
            }

            // Each row's ids past its count are 0 (padding), so a narrower row is the same row.
            var width = _anyWidth ? PaddedBatch.Width(widest, features) : features;
            for (var r = 1; r < n && width < features; r++)
            {
                ids.AsSpan(r * features, width).CopyTo(ids.AsSpan(r * width, width)); // leftwards, never over a row not yet moved
            }

            ids.AsSpan(n * width, (rows - n) * width).Clear(); // padding rows: all id 0

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var output = _session.Run([TensorInput.Int64("ids", ids, rows, width)], "logit", out _);
            InferenceMetrics.Batch(_card.Name, n, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            output.AsSpan(0, n).CopyTo(raw.AsSpan(start, n));
        }

        return raw;
    }

    /// <summary>Fills a row and returns how many ids it set.</summary>
    private delegate int FeaturizeRow(int index, Span<long> ids);
}
