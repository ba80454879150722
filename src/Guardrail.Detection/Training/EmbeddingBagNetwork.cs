using Guardrail.Onnx;

namespace Guardrail.Detection.Training;

/// <summary>
/// The network of both ML detectors, fastText-like: the feature embeddings summed and divided by
/// the square root of their count (an embedding bag; bucket 0 is padding and stays zero; the root,
/// not the mean, keeps the signal of a short phrase in a long window and lets every embedding
/// learn), one ReLU hidden layer, one logit out. Trained here with plain SGD on the logit's
/// sigmoid, exported as ONNX (Gather, ReduceSum, Div, Gemm, Relu) computing exactly the same logit.
/// The logit, not its sigmoid, leaves the model: a float sigmoid rounds every confident score to
/// 1.0, and ties at the top would make the 1 % and 0.1 % FPR operating points meaningless.
/// </summary>
internal sealed class EmbeddingBagNetwork
{
    public EmbeddingBagNetwork(int buckets, int dimensions, int hidden, int seed)
    {
        Buckets = buckets;
        Dimensions = dimensions;
        Hidden = hidden;
        Embeddings = new float[(buckets + 1) * dimensions];
        W1 = new float[dimensions * hidden];
        B1 = new float[hidden];
        W2 = new float[hidden];
        var random = new Random(seed);
        for (var i = dimensions; i < Embeddings.Length; i++)
        {
            Embeddings[i] = (float)((random.NextDouble() * 2) - 1) / dimensions;
        }

        var scale = MathF.Sqrt(6f / (dimensions + hidden));
        for (var i = 0; i < W1.Length; i++)
        {
            W1[i] = (float)((random.NextDouble() * 2) - 1) * scale;
        }

        for (var i = 0; i < W2.Length; i++)
        {
            W2[i] = (float)((random.NextDouble() * 2) - 1) * MathF.Sqrt(6f / (hidden + 1));
        }
    }

    public int Buckets { get; }

    public int Dimensions { get; }

    public int Hidden { get; }

    public float[] Embeddings { get; }

    public float[] W1 { get; }

    public float[] B1 { get; }

    public float[] W2 { get; }

    public float B2 { get; set; }

    /// <summary>The logit for one featurised window (ids padded with 0).</summary>
    public float Predict(ReadOnlySpan<long> ids)
    {
        Span<float> mean = stackalloc float[Dimensions];
        Span<float> hidden = stackalloc float[Hidden];
        return Forward(ids, mean, hidden);
    }

    /// <summary>One SGD step on binary cross-entropy, scaled by <paramref name="weight"/>. Returns the loss.</summary>
    public float Train(ReadOnlySpan<long> ids, float label, float weight, float learningRate)
    {
        Span<float> mean = stackalloc float[Dimensions];
        Span<float> hidden = stackalloc float[Hidden];
        var p = 1 / (1 + MathF.Exp(-Forward(ids, mean, hidden)));
        var count = Count(ids);
        var dz = (p - label) * weight;
        Span<float> dHidden = stackalloc float[Hidden];
        for (var h = 0; h < Hidden; h++)
        {
            dHidden[h] = hidden[h] > 0 ? dz * W2[h] : 0;
            W2[h] -= learningRate * dz * hidden[h];
        }

        B2 -= learningRate * dz;
        Span<float> dMean = stackalloc float[Dimensions];
        for (var d = 0; d < Dimensions; d++)
        {
            var sum = 0f;
            for (var h = 0; h < Hidden; h++)
            {
                sum += W1[(d * Hidden) + h] * dHidden[h];
                W1[(d * Hidden) + h] -= learningRate * mean[d] * dHidden[h];
            }

            dMean[d] = sum;
        }

        for (var h = 0; h < Hidden; h++)
        {
            B1[h] -= learningRate * dHidden[h];
        }

        if (count > 0)
        {
            var step = learningRate / MathF.Sqrt(count);
            foreach (var id in ids)
            {
                if (id == 0)
                {
                    continue;
                }

                var row = Embeddings.AsSpan((int)id * Dimensions, Dimensions);
                for (var d = 0; d < Dimensions; d++)
                {
                    row[d] -= step * dMean[d];
                }
            }
        }

        var q = Math.Clamp(p, 1e-7f, 1 - 1e-7f);
        return -weight * ((label * MathF.Log(q)) + ((1 - label) * MathF.Log(1 - q)));
    }

    /// <summary>The same function as an ONNX graph: input "ids" int64 [batch, features] (any width:
    /// id 0 is padding, so a batch of short rows is sent only as wide as its fullest row), output
    /// "logit" float [batch, 1].</summary>
    public byte[] ToOnnx(string graphName, string version, IReadOnlyDictionary<string, string> metadata)
    {
        var g = Weights(graphName);
        g.Input("ids", true, "batch", "features");
        g.Node("Gather", ["embeddings", "ids"], "vectors", ("axis", 0L));
        g.Node("ReduceSum", ["vectors", "axis1"], "sum", ("keepdims", 0L));
        g.Node("Greater", ["ids", "zero"], "present");
        g.Node("Cast", ["present"], "present_f", ("to", 1L));
        g.Node("ReduceSum", ["present_f", "axis1"], "count", ("keepdims", 1L));
        Head(g, "sum", "count");
        g.Output("logit", "batch", 1);
        return g.Build(version, metadata);
    }

    /// <summary>
    /// The same function over windows of two neighbouring blocks, for any layout of the blocks.
    /// Inputs: <see cref="BlockWidthClasses"/> int64 tensors "ids_k" [rows_k, width_k], blocks
    /// grouped by how many ids they hold (padding with 0 changes nothing, so each group is only as
    /// wide as its fullest block: ONNX Runtime's Gather costs about 5 ns per id, padding included,
    /// and blocks of real text hold from about 80 to 224 ids); "window_left" and "window_right"
    /// int64 [batch, windows], each window's two blocks as rows of the groups concatenated in
    /// order; "window_counts" float [batch, windows, 1], the window's nonzero ids (the featuriser
    /// knows them). Output "logit" float [batch, windows, 1]. Each block's embeddings are summed
    /// once and shared by the two windows holding it, so the logit is <see cref="Predict"/>'s on
    /// the two blocks' ids together.
    /// </summary>
    public byte[] ToBlockOnnx(string graphName, string version, IReadOnlyDictionary<string, string> metadata)
    {
        var g = Weights(graphName);
        var sums = new string[BlockWidthClasses];
        for (var k = 0; k < BlockWidthClasses; k++)
        {
            g.Input(BlockIdsInput(k), true, $"rows_{k}", $"width_{k}");
            g.Node("Gather", ["embeddings", BlockIdsInput(k)], $"vectors_{k}", ("axis", 0L));
            sums[k] = g.Node("ReduceSum", [$"vectors_{k}", "axis1"], $"block_sum_{k}", ("keepdims", 0L));
        }

        g.Input(WindowLeftInput, true, "batch", "windows");
        g.Input(WindowRightInput, true, "batch", "windows");
        g.Input(WindowCountsInput, false, "batch", "windows", 1);
        g.Node("Concat", sums, "block_sums", ("axis", 0L));
        g.Node("Gather", ["block_sums", WindowLeftInput], "left_sum", ("axis", 0L));
        g.Node("Gather", ["block_sums", WindowRightInput], "right_sum", ("axis", 0L));
        g.Node("Add", ["left_sum", "right_sum"], "sum");
        Head(g, "sum", WindowCountsInput);
        g.Output("logit", "batch", "windows", 1);
        return g.Build(version, metadata);
    }

    /// <summary>Groups of blocks by width in the block graph.</summary>
    public const int BlockWidthClasses = 4;

    public const string WindowLeftInput = "window_left";

    public const string WindowRightInput = "window_right";

    public const string WindowCountsInput = "window_counts";

    public static string BlockIdsInput(int widthClass) => $"ids_{widthClass}";

    private OnnxGraphBuilder Weights(string graphName)
    {
        var g = new OnnxGraphBuilder(graphName);
        g.Initializer("embeddings", Embeddings, Buckets + 1, Dimensions);
        g.Initializer("w1", W1, Dimensions, Hidden);
        g.Initializer("b1", B1, Hidden);
        g.Initializer("w2", W2, Hidden, 1);
        g.Initializer("b2", [B2], 1);
        g.Initializer("zero", [0L], 1);
        g.Initializer("one", [1f], 1);
        g.Initializer("axis1", [1L], 1);
        return g;
    }

    /// <summary>Sum / sqrt(count) → ReLU layer → logit, over any leading dimensions (MatMul and Add
    /// broadcast where Gemm would need two dimensions).</summary>
    private static void Head(OnnxGraphBuilder g, string sum, string count)
    {
        g.Node("Max", [count, "one"], "count_safe");
        g.Node("Sqrt", ["count_safe"], "norm");
        g.Node("Div", [sum, "norm"], "mean");
        g.Node("MatMul", ["mean", "w1"], "hidden_mul");
        g.Node("Add", ["hidden_mul", "b1"], "hidden_pre");
        g.Node("Relu", ["hidden_pre"], "hidden");
        g.Node("MatMul", ["hidden", "w2"], "logit_mul");
        g.Node("Add", ["logit_mul", "b2"], "logit");
    }

    private static int Count(ReadOnlySpan<long> ids)
    {
        var count = 0;
        foreach (var id in ids)
        {
            if (id != 0)
            {
                count++;
            }
        }

        return count;
    }

    private float Forward(ReadOnlySpan<long> ids, Span<float> mean, Span<float> hidden)
    {
        mean.Clear();
        var count = Count(ids);
        foreach (var id in ids)
        {
            if (id == 0)
            {
                continue;
            }

            var row = Embeddings.AsSpan((int)id * Dimensions, Dimensions);
            for (var d = 0; d < Dimensions; d++)
            {
                mean[d] += row[d];
            }
        }

        var norm = MathF.Sqrt(Math.Max(count, 1));
        for (var d = 0; d < Dimensions; d++)
        {
            mean[d] /= norm;
        }

        var z = B2;
        for (var h = 0; h < Hidden; h++)
        {
            var sum = B1[h];
            for (var d = 0; d < Dimensions; d++)
            {
                sum += mean[d] * W1[(d * Hidden) + h];
            }

            hidden[h] = Math.Max(0, sum);
            z += hidden[h] * W2[h];
        }

        return z;
    }
}
