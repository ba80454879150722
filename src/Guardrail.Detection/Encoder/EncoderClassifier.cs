using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;
using Guardrail.Detection.Detectors;
using Guardrail.Detection.Models;
using Guardrail.Detection.Training;
using Guardrail.Onnx;

namespace Guardrail.Detection.Encoder;

/// <summary>
/// The encoder tier's injection classifier: all-MiniLM-L6-v2 from its NuGet package with our
/// fine-tuned top layers composed in (<see cref="WeightDelta"/>), run by ONNX Runtime, then a
/// logistic head over the mean of the last hidden states. Each text is cut into windows of the
/// clean normalised text (as in training), each window tokenised and scored; the best window's
/// calibrated score is the text's, and its span is reported from <see cref="WindowClassifierDetector.ReportFloor"/> up.
/// Rows are sorted by length before batching so that a batch pads to similar lengths.
/// </summary>
public sealed class EncoderClassifier : IScoringModel, IDisposable
{
    public const string HiddenOutput = "last_hidden_state";

    private readonly ModelSession _session;
    private readonly ModelCard _card;
    private readonly EncoderTokenizer _tokenizer;
    private readonly EncoderWindowSettings _windows;
    private readonly float[] _headWeight;
    private readonly float _headBias;
    private readonly int _maxBatch;
    private readonly int _maxRunTokens;
    private readonly int _maxWindows;
    private readonly IScoringModel? _windowPicker;

    private EncoderClassifier(string name, string category, ModelSession session, ModelCard card, EncoderTokenizer tokenizer, float[] headWeight, float headBias, int maxBatch, int maxWindows, IScoringModel? windowPicker)
    {
        _maxWindows = maxWindows;
        _windowPicker = windowPicker;
        _session = session;
        _card = card;
        _tokenizer = tokenizer;
        _windows = WindowsOf(card);
        _headWeight = headWeight;
        _headBias = headBias;
        _maxBatch = maxBatch;
        _maxRunTokens = session.ExecutionProvider == "cpu" ? CpuRunTokens : int.MaxValue;
        Detector = new ModelDetector(name, category, card.Name, card.Version);
    }

    public ModelDetector Detector { get; }

    public string ExecutionProvider => _session.ExecutionProvider;

    public ModelCard Card => _card;

    /// <summary>Composes the package's encoder with <paramref name="deltaPath"/> and opens it.
    /// Throws what <see cref="MiniLmPackage.Read"/>, <see cref="WeightDelta.Compose"/> and
    /// <see cref="ModelSession.Open(byte[], SessionSettings)"/> throw.</summary>
    /// <param name="maxWindows">Most windows of one text the encoder scores; a longer text's windows
    /// are those <paramref name="windowPicker"/> (the fast tier) scores highest, or, without one,
    /// its first and last ones.</param>
    public static EncoderClassifier Open(string name, string category, string deltaPath, ModelCard card, SessionSettings settings, int maxBatch = 64, MiniLmPackage? package = null, int maxWindows = int.MaxValue, IScoringModel? windowPicker = null)
    {
        package ??= MiniLmPackage.Read();
        var composed = WeightDelta.Compose(package.Model, File.ReadAllBytes(deltaPath));
        if (!composed.Extras.TryGetValue("head.weight", out var weight) || !composed.Extras.TryGetValue("head.bias", out var bias) || bias.Length != 1)
        {
            throw new InvalidDataException($"{deltaPath} has no head.weight / head.bias[1] (not an encoder classifier delta)");
        }

        var session = ModelSession.Open(composed.Model, settings);
        return new EncoderClassifier(name, category, session, card, new EncoderTokenizer(package.Vocabulary), weight, bias[0], maxBatch, maxWindows, windowPicker);
    }

    public static EncoderWindowSettings WindowsOf(ModelCard card)
        => new(card.Hyperparameter("window_chars"), card.Hyperparameter("stride_chars"), card.Hyperparameter("max_tokens"));

    public TextScore[] ScoreBatch(IReadOnlyList<string> texts) => Score([.. texts.Select(TextNormalizer.Normalize)]);

    public TextScore[] Score(IReadOnlyList<NormalizedText> texts)
    {
        var windows = BestWindows(texts);
        return [.. windows.Select(w =>
        {
            var score = _card.Calibration.Apply(w.Raw);
            var (start, end) = score >= WindowClassifierDetector.ReportFloor && w.Text.Clean.Length > 0
                ? w.Text.CleanToOriginal(w.Start, w.End)
                : (-1, -1);
            return new TextScore(score, start, end);
        })];
    }

    /// <summary>Each text's best window's logit, uncalibrated (what calibration sets points on).</summary>
    public float[] RawScores(IReadOnlyList<string> texts) => [.. BestWindows([.. texts.Select(TextNormalizer.Normalize)]).Select(w => w.Raw)];

    private (NormalizedText Text, float Raw, int Start, int End)[] BestWindows(IReadOnlyList<NormalizedText> normalized)
    {
        var rows = new List<(int Text, int Start, int End)>();
        var ids = new List<IReadOnlyList<int>>();
        for (var t = 0; t < normalized.Count; t++)
        {
            var clean = normalized[t].Clean;
            foreach (var (start, end) in Suspicious(clean, [.. _windows.Windows(clean.Length)]))
            {
                rows.Add((t, start, end));
                ids.Add(_tokenizer.Ids(clean[start..end], _windows.MaxTokens));
            }
        }

        // A window with no token but [CLS] and [SEP] (white space, symbols the vocabulary lacks)
        // holds no instruction; the model never saw one in training, so it is not asked.
        var worded = Enumerable.Range(0, ids.Count).Where(i => ids[i].Count > 2).ToList();
        var scored = RawLogits([.. worded.Select(i => ids[i])]);
        var raw = Enumerable.Repeat(float.NegativeInfinity, ids.Count).ToArray();
        for (var k = 0; k < worded.Count; k++)
        {
            raw[worded[k]] = scored[k];
        }

        var best = Enumerable.Repeat(-1, normalized.Count).ToArray();
        for (var i = 0; i < rows.Count; i++)
        {
            var t = rows[i].Text;
            best[t] = best[t] < 0 || raw[i] > raw[best[t]] ? i : best[t];
        }

        return [.. Enumerable.Range(0, normalized.Count).Select(t => (normalized[t], raw[best[t]], rows[best[t]].Start, rows[best[t]].End))];
    }

    /// <summary>All of a text's windows, or, past <c>maxWindows</c>, the document's suspicious
    /// segments: the windows the fast tier scores highest (µs each, against ms for the encoder), so a
    /// long document costs the encoder a bounded time wherever its injection sits.</summary>
    private List<(int Start, int End)> Suspicious(string clean, List<(int Start, int End)> windows)
    {
        if (windows.Count <= _maxWindows)
        {
            return windows;
        }

        if (_windowPicker is null)
        {
            return [.. windows.Take((_maxWindows + 1) / 2), .. windows.TakeLast(_maxWindows / 2)];
        }

        var scores = _windowPicker.ScoreBatch([.. windows.Select(w => clean[w.Start..w.End])]);
        return [.. Enumerable.Range(0, windows.Count).OrderByDescending(i => scores[i].Score).Take(_maxWindows).Order().Select(i => windows[i])];
    }

    /// <summary>The head's logit for each token-id row ([CLS] ... [SEP]), uncalibrated.</summary>
    public float[] RawLogits(IReadOnlyList<IReadOnlyList<int>> rows)
    {
        var raw = new float[rows.Count];
        var order = Enumerable.Range(0, rows.Count).OrderBy(i => rows[i].Count).ToArray();
        foreach (var (from, count) in Runs(order, rows))
        {
            var batch = order.AsSpan(from, count).ToArray();
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var hidden = HiddenStates(_session, _tokenizer.PaddingId, [.. batch.Select(i => rows[i])], out var length);
            InferenceMetrics.Batch(_card.Name, batch.Length, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            for (var r = 0; r < batch.Length; r++)
            {
                raw[batch[r]] = Head(hidden.AsSpan(r * length * _headWeight.Length, length * _headWeight.Length), rows[batch[r]].Count);
            }
        }

        return raw;
    }

    /// <summary>
    /// Rows sorted by length cut into Runs of at most <c>maxBatch</c> rows and, on CPU,
    /// <see cref="CpuRunTokens"/> tokens; a new Run is also begun where the next row would make
    /// padding more than <see cref="PaddedShare"/> of the Run's tokens, since a Run pads every row
    /// to its longest. Before, every 64 rows were one Run: a text's 128-token window and its short
    /// last one were padded alike, and 16 texts' 48 windows shared one Run (bench-models at batch
    /// 1 / 16 / 64, ms per text: 72.6 / 89.0 / 70.5 before, 62.4 / 61.7 / 60.7 after; README, "Benchmark").
    /// </summary>
    private IEnumerable<(int From, int Count)> Runs(int[] order, IReadOnlyList<IReadOnlyList<int>> rows)
    {
        var from = 0;
        long tokens = 0;
        for (var i = 0; i < order.Length; i++)
        {
            var length = rows[order[i]].Count;
            var count = i - from;
            if (count > 0 && (count == _maxBatch || (count + 1L) * length > _maxRunTokens || (count + 1L) * length * (1 - PaddedShare) > tokens + length))
            {
                yield return (from, count);
                (from, tokens) = (i, 0);
            }

            tokens += length;
        }

        if (order.Length > from)
        {
            yield return (from, order.Length - from);
        }
    }

    /// <summary>The largest share of a Run's tokens that may be padding.</summary>
    private const double PaddedShare = 0.2;

    /// <summary>
    /// Tokens per Run on CPU (padding included). A larger Run's activations outgrow the core's
    /// caches: bench-models, ms per 1,000-character text at batch 1 / 16 / 64, one core, capped at
    /// 512 tokens 61.5 / 60.9 / 59.2, 1,024 61.1 / 60.9 / 60.2, 2,048 61.9 / 64.0 / 63.2, 4,096
    /// 63.6 / 69.1 / 65.8, uncapped 63.9 / 70.5 / 76.8. A GPU wants large Runs: it is not capped.
    /// </summary>
    public const int CpuRunTokens = 1024;

    /// <summary>MiniLM's last hidden states for token-id rows ([CLS] ... [SEP]) padded to the
    /// longest, <paramref name="length"/> tokens: row r's token k starts at ((r * length) + k) * width.</summary>
    internal static float[] HiddenStates(ModelSession session, int paddingId, IReadOnlyList<IReadOnlyList<int>> rows, out int length)
    {
        length = rows.Max(r => r.Count);
        var ids = new long[rows.Count * length];
        var mask = new long[rows.Count * length];
        for (var r = 0; r < rows.Count; r++)
        {
            for (var k = 0; k < length; k++)
            {
                ids[(r * length) + k] = k < rows[r].Count ? rows[r][k] : paddingId;
                mask[(r * length) + k] = k < rows[r].Count ? 1 : 0;
            }
        }

        return session.Run(
            [
                TensorInput.Int64("input_ids", ids, rows.Count, length),
                TensorInput.Int64("attention_mask", mask, rows.Count, length),
                TensorInput.Int64("token_type_ids", new long[ids.Length], rows.Count, length),
            ],
            HiddenOutput,
            out _);
    }

    /// <summary>Mean of the first <paramref name="tokens"/> hidden states, dotted with the head.</summary>
    private float Head(ReadOnlySpan<float> hidden, int tokens)
    {
        var width = _headWeight.Length;
        var sum = 0f;
        for (var k = 0; k < tokens; k++)
        {
            var state = hidden.Slice(k * width, width);
            for (var d = 0; d < width; d++)
            {
                sum += state[d] * _headWeight[d];
            }
        }

        return (sum / Math.Max(tokens, 1)) + _headBias;
    }

    public void Dispose() => _session.Dispose();
}
