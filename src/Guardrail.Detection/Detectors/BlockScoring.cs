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
    /// ids (two full segments, 1 MiB of gathered floats) stay in cache; 64 full segments at once
    /// made a 1,000-character prompt 15 % slower (bench-models on the first block version, 82
    /// against 71 µs). Short texts still go 64 to a Run. A GPU wants whole batches.
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
        foreach (var (start, n, blocksPerRow) in Batches(segments.ConvertAll(s => s.Blocks), width, maxBatch, maxIdsPerRun))
        {
            var rows = PaddedBatch.Rows(n, maxBatch);
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

    /// <summary>Consecutive segments cut into batches: at most <paramref name="maxBatch"/> rows and,
    /// unless one segment alone is larger, at most <paramref name="maxIds"/> ids once padded (rows to a
    /// power of two, blocks to a power of two of at least 2), so many short texts still share a Run.</summary>
    private static IEnumerable<(int Start, int Count, int BlocksPerRow)> Batches(List<int> segmentBlocks, int width, int maxBatch, int maxIds)
    {
        static int Blocks(int most) => Math.Max(2, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)most));
        var start = 0;
        var most = 0;
        for (var i = 0; i < segmentBlocks.Count; i++)
        {
            var wider = Math.Max(most, segmentBlocks[i]);
            var count = i - start + 1;
            if (count > 1 && (count > maxBatch || (long)PaddedBatch.Rows(count, maxBatch) * Blocks(wider) * width > maxIds))
            {
                yield return (start, i - start, Blocks(most));
                start = i;
                wider = segmentBlocks[i];
            }

            most = wider;
        }

        if (segmentBlocks.Count > start)
        {
            yield return (start, segmentBlocks.Count - start, Blocks(most));
        }
    }
}
