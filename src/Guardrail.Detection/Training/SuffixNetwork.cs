using Guardrail.Detection.Features;
using Guardrail.Onnx;

namespace Guardrail.Detection.Training;

/// <summary>
/// The adversarial-suffix detector: a hashed character language model (orders 1-5, add-alpha
/// smoothing) and word unigram model stored as one table of log counts, and a logistic layer over the window means of the
/// per-character surprisals and character classes. A window of optimised token soup is improbable
/// text with odd punctuation and casing; ordinary prose, code and other languages are not all
/// three at once. Exported as ONNX computing the same per-window scores.
/// </summary>
internal sealed class SuffixNetwork(SuffixFeaturizer featurizer, float alpha = 0.5f, float vocabulary = 100f)
{
    public const int Features = SuffixFeaturizer.Orders + SuffixFeaturizer.Classes;
    private readonly float[] _ngramCounts = new float[featurizer.TableSize];
    private readonly float[] _contextCounts = new float[featurizer.TableSize];

    public SuffixFeaturizer Featurizer { get; } = featurizer;

    /// <summary>log(count + alpha) for n-gram ids and log(count + alpha·V) for context ids; one
    /// table per kind, laid end to end (context ids are offset by the table size).</summary>
    public float[] LogCounts { get; private set; } = [];

    public float[] Weights { get; } = new float[Features];

    public float Bias { get; set; }

    public void CountLanguageModel(IEnumerable<string> texts)
    {
        foreach (var text in texts)
        {
            for (var i = 0; i < text.Length; i++)
            {
                for (var k = 1; k <= SuffixFeaturizer.CharacterOrders; k++)
                {
                    var (ngram, context) = Featurizer.NgramIds(text, i, k);
                    _ngramCounts[ngram]++;
                    _contextCounts[context]++;
                }
            }

            foreach (var word in Featurizer.Words(text))
            {
                _ngramCounts[word]++;
                _contextCounts[Featurizer.WordContext]++;
            }
        }

        LogCounts = new float[2 * Featurizer.TableSize];
        for (var i = 0; i < Featurizer.TableSize; i++)
        {
            LogCounts[i] = MathF.Log(_ngramCounts[i] + alpha);
            LogCounts[Featurizer.TableSize + i] = MathF.Log(_contextCounts[i] + (alpha * vocabulary));
        }

        // Id 0 is "not in a word": equal entries make its surprisal exactly 0.
        LogCounts[0] = 0;
        LogCounts[Featurizer.TableSize] = 0;
    }

    /// <summary>Window-mean features of every full window of a clean text, in order.</summary>
    public List<float[]> WindowFeatures(string text)
    {
        var w = Featurizer.WindowChars;
        var perPosition = new float[text.Length, Features];
        var words = Featurizer.WordIds(text, 0, text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            for (var k = 1; k <= SuffixFeaturizer.Orders; k++)
            {
                var (ngram, context) = k <= SuffixFeaturizer.CharacterOrders ? Featurizer.NgramIds(text, i, k) : words[i];
                perPosition[i, k - 1] = LogCounts[Featurizer.TableSize + context] - LogCounts[ngram];
            }

            perPosition[i, SuffixFeaturizer.Orders + SuffixFeaturizer.ClassOf(text[i])] = 1;
        }

        var windows = new List<float[]>();
        for (var start = 0; start + w <= text.Length; start++)
        {
            var mean = new float[Features];
            for (var i = start; i < start + w; i++)
            {
                for (var f = 0; f < Features; f++)
                {
                    mean[f] += perPosition[i, f];
                }
            }

            for (var f = 0; f < Features; f++)
            {
                mean[f] /= w;
            }

            windows.Add(mean);
        }

        return windows;
    }

    public float Predict(ReadOnlySpan<float> windowFeatures)
    {
        var z = Bias;
        for (var f = 0; f < Features; f++)
        {
            z += Weights[f] * windowFeatures[f];
        }

        return 1 / (1 + MathF.Exp(-z));
    }

    /// <summary>Logistic regression by full-batch gradient descent with momentum (10 weights, a
    /// few hundred thousand windows: simple and deterministic).</summary>
    public void FitLogistic(IReadOnlyList<float[]> positives, IReadOnlyList<float[]> negatives, int iterations = 400, float learningRate = 0.5f)
    {
        var velocity = new float[Features + 1];
        float wPos = 0.5f / positives.Count, wNeg = 0.5f / negatives.Count;
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var gradient = new double[Features + 1];
            void Accumulate(IReadOnlyList<float[]> rows, float label, float weight)
            {
                foreach (var x in rows)
                {
                    var error = (Predict(x) - label) * weight;
                    for (var f = 0; f < Features; f++)
                    {
                        gradient[f] += error * x[f];
                    }

                    gradient[Features] += error;
                }
            }

            Accumulate(positives, 1, wPos);
            Accumulate(negatives, 0, wNeg);
            for (var f = 0; f <= Features; f++)
            {
                velocity[f] = (0.9f * velocity[f]) - (learningRate * (float)gradient[f]);
                if (f < Features)
                {
                    Weights[f] += velocity[f];
                }
                else
                {
                    Bias += velocity[f];
                }
            }
        }
    }

    /// <summary>ONNX: inputs ids int64 [batch, 8, length], classes float [batch, 6, length], mask
    /// float [batch, 1, length] (length ≥ the window); output window_scores float
    /// [batch, 1, length - window + 1], 0 for windows that reach into padding.</summary>
    public byte[] ToOnnx(string version, IReadOnlyDictionary<string, string> metadata)
    {
        var orders = SuffixFeaturizer.Orders;
        var g = new OnnxGraphBuilder("adversarial_suffix");
        g.Input("ids", true, "batch", 2 * orders, "length");
        g.Input("classes", false, "batch", SuffixFeaturizer.Classes, "length");
        g.Input("mask", false, "batch", 1, "length");
        g.Initializer("log_counts", LogCounts, LogCounts.Length);
        g.Initializer("context_offset", Enumerable.Range(0, 2 * orders).Select(c => c % 2 == 0 ? 0L : Featurizer.TableSize).ToArray(), 1, 2 * orders, 1);

        // Surprisal of order k = log count(context) - log count(n-gram): a fixed 1x1 convolution.
        var difference = new float[orders * 2 * orders];
        for (var k = 0; k < orders; k++)
        {
            difference[(k * 2 * orders) + (2 * k)] = -1;
            difference[(k * 2 * orders) + (2 * k) + 1] = 1;
        }

        g.Initializer("difference", difference, orders, 2 * orders, 1);
        g.Initializer("weights", Weights, 1, Features, 1);
        g.Initializer("bias", [Bias], 1);
        g.Initializer("one", [1f], 1);
        g.Initializer("penalty_scale", [1e4f], 1);
        g.Node("Add", ["ids", "context_offset"], "table_ids");
        g.Node("Gather", ["log_counts", "table_ids"], "terms", ("axis", 0L));
        g.Node("Conv", ["terms", "difference"], "surprisal", ("kernel_shape", new long[] { 1 }));
        g.Node("Concat", ["surprisal", "classes"], "features", ("axis", 1L));
        var window = new long[] { Featurizer.WindowChars };
        g.Node("AveragePool", ["features"], "window_means", ("kernel_shape", window), ("strides", new long[] { 1 }));
        g.Node("Conv", ["window_means", "weights", "bias"], "logits", ("kernel_shape", new long[] { 1 }));
        g.Node("AveragePool", ["mask"], "window_mask", ("kernel_shape", window), ("strides", new long[] { 1 }));
        g.Node("Sub", ["window_mask", "one"], "missing");
        g.Node("Mul", ["missing", "penalty_scale"], "penalty");
        g.Node("Add", ["logits", "penalty"], "masked_logits");
        g.Node("Sigmoid", ["masked_logits"], "window_scores");
        g.Output("window_scores", "batch", 1, "windows");
        return g.Build(version, metadata);
    }
}
