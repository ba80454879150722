using System.Collections.Concurrent;
using Guardrail.Core.Normalization;
using Guardrail.Core.Policy;
using Guardrail.Core.Screening;
using Guardrail.Onnx;

namespace Guardrail.Detection.Encoder;

/// <summary>
/// Tenants' banned topics by sentence similarity: all-MiniLM-L6-v2 as its package ships it (not the
/// injection encoder's fine-tuned layers: a topic needs the general sentence embedding it was
/// trained for), mean-pooled and L2-normalised, as sentence-transformers does. A text is cut into
/// windows of its clean normalised text (at most <see cref="MaxWindows"/>, spread over it), and its
/// similarity to a topic is its best window's cosine. A topic's embedding is computed once and kept.
/// Opened on first use: a gateway whose tenants have no topic rules never loads it.
/// </summary>
public sealed class SentenceTopicMatcher : ITopicMatcher, IDisposable
{
    public const int WindowChars = 400;
    public const int StrideChars = 300;
    public const int MaxWindows = 16;
    public const int MaxTokens = 128;
    private const int MaxCachedTopics = 4096;

    private readonly Lazy<(ModelSession Session, EncoderTokenizer Tokenizer)> _encoder;
    private readonly ConcurrentDictionary<string, float[]> _topics = new(StringComparer.Ordinal);

    public SentenceTopicMatcher(SessionSettings settings, Func<MiniLmPackage>? package = null)
        => _encoder = new(() =>
        {
            var read = (package ?? (() => MiniLmPackage.Read()))();
            return (ModelSession.Open(read.Model, settings), new EncoderTokenizer(read.Vocabulary));
        });

    public string Model => "all-MiniLM-L6-v2@" + MiniLmPackage.PackageVersion;

    public ValueTask<TopicMatch[][]> MatchAsync(IReadOnlyList<string> texts, IReadOnlyList<CompiledRule> topics, CancellationToken cancellationToken)
    {
        var topicVectors = topics.Select(t => TopicVector(t.Topic)).ToArray();
        var result = new TopicMatch[texts.Count][];
        for (var t = 0; t < texts.Count; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var normalized = TextNormalizer.Normalize(texts[t]);
            var windows = Windows(normalized.Clean.Length);
            var vectors = Embed([.. windows.Select(w => normalized.Clean[w.Start..w.End])]);
            result[t] = new TopicMatch[topics.Count];
            for (var r = 0; r < topics.Count; r++)
            {
                var (best, at) = (float.NegativeInfinity, 0);
                for (var w = 0; w < windows.Count; w++)
                {
                    var similarity = Dot(vectors[w], topicVectors[r]);
                    (best, at) = similarity > best ? (similarity, w) : (best, at);
                }

                var (start, end) = windows.Count == 0 ? (0, 0) : normalized.CleanToOriginal(windows[at].Start, windows[at].End);
                result[t][r] = new TopicMatch(windows.Count == 0 ? 0 : best, start, end);
            }
        }

        return ValueTask.FromResult(result);
    }

    /// <summary>Sentence embeddings (unit length) of these texts.</summary>
    public float[][] Embed(IReadOnlyList<string> texts)
    {
        var (session, tokenizer) = _encoder.Value;
        var result = new float[texts.Count][];
        if (texts.Count == 0)
        {
            return result;
        }

        var rows = texts.Select(t => tokenizer.Ids(t, MaxTokens)).ToArray();
        var hidden = EncoderClassifier.HiddenStates(session, tokenizer.PaddingId, rows, out var length);
        var width = hidden.Length / (rows.Length * length);
        for (var r = 0; r < rows.Length; r++)
        {
            var vector = new float[width];
            for (var k = 0; k < rows[r].Count; k++)
            {
                var state = hidden.AsSpan(((r * length) + k) * width, width);
                for (var d = 0; d < width; d++)
                {
                    vector[d] += state[d];
                }
            }

            var norm = MathF.Sqrt(Dot(vector, vector));
            for (var d = 0; d < width; d++)
            {
                vector[d] /= norm > 0 ? norm : 1; // the mean's scale cancels out
            }

            result[r] = vector;
        }

        return result;
    }

    private float[] TopicVector(string topic)
    {
        if (_topics.TryGetValue(topic, out var vector))
        {
            return vector;
        }

        vector = Embed([TextNormalizer.Normalize(topic).Clean])[0];
        if (_topics.Count >= MaxCachedTopics)
        {
            _topics.Clear();
        }

        return _topics.GetOrAdd(topic, vector);
    }

    /// <summary>Windows over a text of <paramref name="length"/> characters: every one when there are
    /// few, else <see cref="MaxWindows"/> spread evenly from the first to the last.</summary>
    private static List<(int Start, int End)> Windows(int length)
    {
        var all = new List<(int Start, int End)>();
        for (var start = 0; start < length; start += StrideChars)
        {
            all.Add((start, Math.Min(length, start + WindowChars)));
            if (start + WindowChars >= length)
            {
                break;
            }
        }

        return all.Count <= MaxWindows
            ? all
            : [.. Enumerable.Range(0, MaxWindows).Select(i => all[(int)((long)i * (all.Count - 1) / (MaxWindows - 1))])];
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    public void Dispose()
    {
        if (_encoder.IsValueCreated)
        {
            _encoder.Value.Session.Dispose();
        }
    }
}
