using Guardrail.Detection.Features;
using Guardrail.Onnx;

namespace Guardrail.Detection.Detectors;

/// <summary>
/// Serving for a block-window model (<see cref="IBlockWindowFeaturizer"/>): each text's blocks are
/// featurised once and sent as segments of at most <see cref="SegmentBlocks"/> blocks, neighbouring
/// segments sharing one block so every window lies whole in a segment. A batch is padded to a
/// power-of-two row count and block count (few distinct shapes, which a GPU needs); padding blocks
/// are all id 0 and their windows are never read.
/// </summary>
internal static class BlockScoring
{
    /// <summary>Blocks per segment: 1,024 characters with 32-character blocks, a whole typical prompt.</summary>
    public const int SegmentBlocks = 32;

    /// <summary>
    /// Ids per ONNX Run on CPU: the graph gathers every id's embedding before summing, and 16,384
    /// ids (two full segments, 1 MiB of gathered floats) stay in cache; 64 segments at once made
    /// a 1,000-character prompt 15 % slower (bench-models, 82 against 71 µs). A GPU wants whole batches.
    /// </summary>
    public const int CpuIdsPerRun = 16_384;

    /// <summary>The raw logits of every text's windows, in <see cref="IWindowFeaturizer.Windows"/> order, text after text.</summary>
    public static float[] Score(InferenceSession session, string model, IBlockWindowFeaturizer featurizer, IReadOnlyList<string> views, int windowCount, int maxBatch, int maxIdsPerRun = CpuIdsPerRun)
    {
        var segments = new List<(int Text, int FirstBlock, int Blocks, int FirstWindow)>();
        var windowBase = 0;
        for (var t = 0; t < views.Count; t++)
        {
            var blocks = featurizer.BlockCount(views[t].Length);
            for (var first = 0; ; first += SegmentBlocks - 1)
            {
                segments.Add((t, first, Math.Min(SegmentBlocks, blocks - first), windowBase + first));
                if (first + SegmentBlocks >= blocks)
                {
                    break;
                }
            }

            windowBase += Math.Max(1, blocks - 1);
        }

        if (windowBase != windowCount)
        {
            throw new InvalidOperationException($"block layout gives {windowBase} windows, the featuriser {windowCount}");
        }

        var raw = new float[windowCount];
        var width = featurizer.IdsPerBlock;
        maxBatch = Math.Clamp(maxIdsPerRun / (SegmentBlocks * featurizer.IdsPerBlock), 1, maxBatch);
        foreach (var (start, n) in PaddedBatch.Split(segments.Count, maxBatch))
        {
            var rows = PaddedBatch.Rows(n, maxBatch);
            var blocksPerRow = Math.Max(2, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)segments.Skip(start).Take(n).Max(s => s.Blocks)));
            var ids = new long[rows * blocksPerRow * width];
            for (var r = 0; r < n; r++)
            {
                var (text, first, blocks, _) = segments[start + r];
                var view = views[text];
                for (var b = 0; b < blocks; b++)
                {
                    var (from, to) = featurizer.Block(view.Length, first + b);
                    featurizer.FeaturizeBlock(view, from, to, ids.AsSpan(((r * blocksPerRow) + b) * width, width));
                }
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var output = session.Run([TensorInput.Int64("ids", ids, rows, blocksPerRow, width)], "logit", out _);
            InferenceMetrics.Batch(model, n, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            for (var r = 0; r < n; r++)
            {
                // A one-block segment (a text of one block) has one window: its block with a padding block.
                var (_, _, blocks, firstWindow) = segments[start + r];
                var windows = Math.Max(1, blocks - 1);
                output.AsSpan(r * (blocksPerRow - 1), windows).CopyTo(raw.AsSpan(firstWindow, windows));
            }
        }

        return raw;
    }
}
