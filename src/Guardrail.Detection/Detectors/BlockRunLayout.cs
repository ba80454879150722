using Guardrail.Detection.Features;
using Guardrail.Detection.Training;
using Guardrail.Onnx;

namespace Guardrail.Detection.Detectors;

/// <summary>
/// One Run's inputs for the block graph (<see cref="EmbeddingBagNetwork.ToBlockOnnx"/>): the
/// segments' blocks featurised, grouped into width classes, and each window's two blocks as rows
/// of the groups concatenated. Every group starts with an all-zero row, so every input has a row
/// and row 0 overall is the zero block that padding windows (and a one-block text's window) use.
/// Buffers are per thread and reused: a Run's ids are 100+ KB.
/// </summary>
internal static class BlockRunLayout
{
    private const int Classes = EmbeddingBagNetwork.BlockWidthClasses;

    [ThreadStatic]
    private static Buffers? _buffers;

    public static TensorInput[] Build(IBlockWindowFeaturizer featurizer, IReadOnlyList<string> views, List<Segment> segments, int rows, int blocksPerRow, bool trimWidth)
    {
        var b = _buffers ??= new Buffers();
        var full = featurizer.IdsPerBlock;
        var slots = rows * blocksPerRow;
        var scratch = PaddedBatch.ThreadIds(slots * full);
        var counts = PaddedBatch.Ensure(ref b.Counts, slots);
        var real = 0;
        for (var slot = 0; slot < slots; slot++)
        {
            var (r, block) = Math.DivRem(slot, blocksPerRow);
            if (r < segments.Count && block < segments[r].Blocks)
            {
                var (text, first, _, _) = segments[r];
                var (from, to) = featurizer.Block(views[text].Length, first + block);
                counts[slot] = featurizer.FeaturizeBlock(views[text], from, to, scratch.AsSpan(slot * full, full));
                real++;
            }
            else
            {
                counts[slot] = -1; // no block: a padding slot
            }
        }

        Span<int> upper = stackalloc int[Classes];
        if (trimWidth)
        {
            Bounds(counts.AsSpan(0, slots), real, full, upper, b);
        }
        else
        {
            // One group at full width holding every slot, padding slots as zero rows: fixed shapes.
            upper.Fill(-1);
            upper[^1] = full;
        }

        // Each slot's group and row in it (row 0 of every group is its zero row).
        var groupOf = PaddedBatch.Ensure(ref b.Group, slots);
        var rowOf = PaddedBatch.Ensure(ref b.Row, slots);
        Span<int> rowsIn = stackalloc int[Classes];
        Span<int> widths = stackalloc int[Classes];
        rowsIn.Fill(1);
        widths.Fill(1);
        for (var slot = 0; slot < slots; slot++)
        {
            var count = counts[slot];
            if (count < 0 && trimWidth)
            {
                groupOf[slot] = -1;
                continue;
            }

            var k = 0;
            while (Math.Max(0, count) > upper[k])
            {
                k++;
            }

            groupOf[slot] = k;
            rowOf[slot] = rowsIn[k]++;
            widths[k] = trimWidth ? Math.Max(widths[k], count) : full;
        }

        var inputs = new TensorInput[Classes + 3];
        var offset = b.Offset; // an array, not a Span: Global below captures it
        for (int k = 0, at = 0; k < Classes; at += rowsIn[k], k++)
        {
            offset[k] = at;
            var ids = PaddedBatch.Ensure(ref b.Ids[k], rowsIn[k] * widths[k]);
            ids.AsSpan(0, widths[k]).Clear();
            inputs[k] = TensorInput.Int64(EmbeddingBagNetwork.BlockIdsInput(k), ids, rowsIn[k], widths[k]);
        }

        for (var slot = 0; slot < slots; slot++)
        {
            var k = groupOf[slot];
            if (k < 0)
            {
                continue;
            }

            var count = Math.Max(0, counts[slot]);
            var row = b.Ids[k].AsSpan(rowOf[slot] * widths[k], widths[k]);
            scratch.AsSpan(slot * full, count).CopyTo(row);
            row[count..].Clear();
        }

        var windows = blocksPerRow - 1;
        var left = PaddedBatch.Ensure(ref b.Left, rows * windows);
        var right = PaddedBatch.Ensure(ref b.Right, rows * windows);
        var windowCounts = PaddedBatch.Ensure(ref b.WindowCounts, rows * windows);
        int Global(int slot) => slot < 0 || groupOf[slot] < 0 ? 0 : offset[groupOf[slot]] + rowOf[slot];
        int Count(int slot) => slot < 0 ? 0 : Math.Max(0, counts[slot]);
        for (var r = 0; r < rows; r++)
        {
            var blocks = r < segments.Count ? segments[r].Blocks : 0;
            for (var w = 0; w < windows; w++)
            {
                // A window of two blocks; a one-block text's window is its block and the zero block.
                var (l, rt) = w + 1 < blocks ? ((r * blocksPerRow) + w, (r * blocksPerRow) + w + 1)
                    : w == 0 && blocks == 1 ? (r * blocksPerRow, -1)
                    : (-1, -1);
                var at = (r * windows) + w;
                left[at] = Global(l);
                right[at] = Global(rt);
                windowCounts[at] = Count(l) + Count(rt);
            }
        }

        inputs[Classes] = TensorInput.Int64(EmbeddingBagNetwork.WindowLeftInput, left, rows, windows);
        inputs[Classes + 1] = TensorInput.Int64(EmbeddingBagNetwork.WindowRightInput, right, rows, windows);
        inputs[Classes + 2] = TensorInput.Float(EmbeddingBagNetwork.WindowCountsInput, windowCounts, rows, windows, 1);
        return inputs;
    }

    /// <summary>Each group's largest id count: the real blocks' counts cut into groups of about
    /// equal size (a counting sort: a Run's counts lie in 0..<paramref name="full"/>).</summary>
    private static void Bounds(ReadOnlySpan<int> counts, int real, int full, Span<int> upper, Buffers b)
    {
        var histogram = PaddedBatch.Ensure(ref b.Histogram, full + 1);
        histogram.AsSpan(0, full + 1).Clear();
        foreach (var count in counts)
        {
            if (count >= 0)
            {
                histogram[count]++;
            }
        }

        upper.Fill(full);
        var perGroup = Math.Max(1, (real + Classes - 1) / Classes);
        for (int c = 0, seen = 0, k = 0; c <= full && k < Classes - 1; c++)
        {
            seen += histogram[c];
            if (seen >= (k + 1) * perGroup)
            {
                upper[k++] = c;
            }
        }
    }

    private sealed class Buffers
    {
        public int[] Counts = [];
        public int[] Group = [];
        public int[] Row = [];
        public int[] Histogram = [];
        public int[] Offset = new int[Classes];
        public long[][] Ids = [.. Enumerable.Range(0, Classes).Select(_ => Array.Empty<long>())];
        public long[] Left = [];
        public long[] Right = [];
        public float[] WindowCounts = [];
    }
}
