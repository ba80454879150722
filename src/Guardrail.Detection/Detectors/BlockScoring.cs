using Guardrail.Detection.Features;
using Guardrail.Detection.Training;
using Guardrail.Onnx;

namespace Guardrail.Detection.Detectors;

/// <summary>
/// Serving for a block-window model (<see cref="IBlockWindowFeaturizer"/>): each text's blocks are
/// featurised once and sent as segments of at most <see cref="SegmentBlocks"/> blocks, neighbouring
/// segments sharing one block so every window lies whole in a segment. A batch is padded to a
/// power-of-two row count and block count (few distinct shapes, which a GPU needs); padding blocks
/// are all id 0 and their windows are never read. On CPU (<see cref="BlockRuns.Cpu"/>) a Run's blocks
/// are only as wide as its fullest block needs: ONNX Runtime's Gather costs about 5 ns per id,
/// padding included, and a block of a 1,000-character prompt holds about 137 of its 224 ids.
/// </summary>
internal static class BlockScoring
{
    /// <summary>Blocks per segment: 1,024 characters with 32-character blocks, a whole typical prompt.</summary>
    public const int SegmentBlocks = 32;

    /// <summary>The raw logits of every text's windows, in <see cref="IWindowFeaturizer.Windows"/> order, text after text.</summary>
    public static float[] Score(InferenceSession session, string model, IBlockWindowFeaturizer featurizer, IReadOnlyList<string> views, int windowCount, int maxBatch, BlockRuns runs)
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
        foreach (var (start, n, blocksPerRow) in Batches(segments.ConvertAll(s => s.Blocks), featurizer.IdsPerBlock, maxBatch, runs.MaxIdsPerRun))
        {
            var rows = PaddedBatch.Rows(n, maxBatch);
            var (ids, counts, width) = FeaturizeBatch(featurizer, views, segments.GetRange(start, n), rows, blocksPerRow, runs.TrimWidth);
            var idsInput = TensorInput.Int64("ids", ids, rows, blocksPerRow, width);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var output = runs.SendCounts
                ? session.Run([idsInput, TensorInput.Float(EmbeddingBagNetwork.BlockCountsInput, counts, rows, blocksPerRow, 1)], "logit", out _)
                : session.Run([idsInput], "logit", out _);
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

    /// <summary>A batch's ids, [rows, blocksPerRow, width], and each block's id count, at the front of per-thread buffers.</summary>
    private static (long[] Ids, float[] Counts, int Width) FeaturizeBatch(
        IBlockWindowFeaturizer featurizer, IReadOnlyList<string> views, List<(int Text, int FirstBlock, int Blocks, int FirstWindow)> segments, int rows, int blocksPerRow, bool trimWidth)
    {
        var full = featurizer.IdsPerBlock;
        var slots = rows * blocksPerRow;
        var ids = PaddedBatch.ThreadIds(slots * full);
        var counts = slots <= _threadCounts?.Length ? _threadCounts : (_threadCounts = new float[slots]);
        var most = 0;
        for (var slot = 0; slot < slots; slot++)
        {
            var (r, b) = Math.DivRem(slot, blocksPerRow);
            var row = ids.AsSpan(slot * full, full);
            if (r < segments.Count && b < segments[r].Blocks)
            {
                var (text, first, _, _) = segments[r];
                var (from, to) = featurizer.Block(views[text].Length, first + b);
                var count = featurizer.FeaturizeBlock(views[text], from, to, row);
                counts[slot] = count;
                most = Math.Max(most, count);
            }
            else
            {
                row.Clear(); // a padding block or row: all id 0 (the buffer is reused)
                counts[slot] = 0;
            }
        }

        var width = trimWidth ? Math.Min(full, Math.Max(1, (most + WidthStep - 1) / WidthStep) * WidthStep) : full;
        Compact(ids, counts, slots, full, width);
        return (ids, counts, width);
    }

    /// <summary>Trimmed widths are multiples of this (a CPU does not mind many shapes).</summary>
    private const int WidthStep = 16;

    /// <summary>This thread's last batch's id count per block (floats: the block graph's input).</summary>
    [ThreadStatic]
    private static float[]? _threadCounts;

    /// <summary>Moves each block's ids from stride <paramref name="full"/> to <paramref name="width"/>,
    /// in place, front to back (a block only moves towards the front), zeroing what follows them.</summary>
    private static void Compact(long[] ids, float[] counts, int slots, int full, int width)
    {
        if (width == full)
        {
            return;
        }

        for (var slot = 1; slot < slots; slot++)
        {
            ids.AsSpan(slot * full, (int)counts[slot]).CopyTo(ids.AsSpan(slot * width));
        }

        for (var slot = 0; slot < slots; slot++)
        {
            var count = (int)counts[slot];
            ids.AsSpan((slot * width) + count, width - count).Clear();
        }
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

/// <summary>How block batches are cut for one execution provider.</summary>
/// <param name="MaxIdsPerRun">Ids per ONNX Run once padded (unless one segment alone is larger).</param>
/// <param name="TrimWidth">Pad each block only to the Run's fullest block (rounded up), not to <see cref="IBlockWindowFeaturizer.IdsPerBlock"/>.</param>
/// <param name="SendCounts">Send each block's id count (<see cref="EmbeddingBagNetwork.BlockCountsInput"/>), which older files counted themselves.</param>
internal sealed record BlockRuns(int MaxIdsPerRun, bool TrimWidth, bool SendCounts = true)
{
    /// <summary>
    /// CPU: 16,384 ids per Run (two full segments, 1 MiB of gathered floats) stay in cache; 64
    /// full segments at once made a 1,000-character prompt 15 % slower (bench-models on the first
    /// block version, 82 against 71 µs). Short texts still go 64 to a Run.
    /// </summary>
    public static readonly BlockRuns Cpu = new(16_384, true);

    /// <summary>A GPU wants whole batches of fixed shapes: every block at full width.</summary>
    public static readonly BlockRuns Gpu = new(int.MaxValue, false);

    /// <summary>The session's: on CPU, widths are trimmed only where the model's ids width is
    /// symbolic, and counts are sent where the model takes them (the first 3.0.0 suffix file
    /// declared a fixed 224 and counted its ids).</summary>
    public static BlockRuns For(InferenceSession session)
    {
        var runs = session.ExecutionProvider != "cpu" ? Gpu
            : session.InputShapes.TryGetValue("ids", out var shape) && shape.Length == 3 && shape[2] < 0 ? Cpu
            : Cpu with { TrimWidth = false };
        return runs with { SendCounts = session.InputNames.Contains(EmbeddingBagNetwork.BlockCountsInput) };
    }
}
