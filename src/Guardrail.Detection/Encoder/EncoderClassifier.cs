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
        for (var from = 0; from < order.Length; from += _maxBatch)
        {
            var batch = order.AsSpan(from, Math.Min(_maxBatch, order.Length - from)).ToArray();
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
