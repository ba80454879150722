using Guardrail.Detection.Features;
using Guardrail.Detection.Training;
using Guardrail.Onnx;

namespace Guardrail.Detection.Detectors;

/// <summary>
/// Serving for a block-window model (<see cref="IBlockWindowFeaturizer"/>, graph
/// <see cref="EmbeddingBagNetwork.ToBlockOnnx"/>): each text's blocks are featurised once and sent
/// as segments of at most <see cref="SegmentBlocks"/> blocks, neighbouring segments sharing one
/// block so every window lies whole in a segment. A Run's windows are [rows, blocks - 1], rows and
/// blocks padded to powers of two; padding windows point at an all-zero block and are never read.
/// On CPU (<see cref="BlockRuns.Cpu"/>) the Run's blocks are grouped into
/// <see cref="EmbeddingBagNetwork.BlockWidthClasses"/> groups by id count, each only as wide as
/// its fullest block, so little padding is gathered; for a GPU every block slot is one row at full
/// width, the same shapes for every batch of a size.
/// </summary>
internal static class BlockScoring
{
    /// <summary>Blocks per segment: 1,024 characters with 32-character blocks, a whole typical prompt.</summary>
    public const int SegmentBlocks = 32;

    /// <summary>Why this session cannot serve block windows (inputs of another graph), or null.</summary>
    public static string? Unsupported(ModelSession session)
    {
        string[] expected = [.. Enumerable.Range(0, EmbeddingBagNetwork.BlockWidthClasses).Select(EmbeddingBagNetwork.BlockIdsInput),
            EmbeddingBagNetwork.WindowLeftInput, EmbeddingBagNetwork.WindowRightInput, EmbeddingBagNetwork.WindowCountsInput];
        return expected.All(session.InputNames.Contains) ? null
            : $"the model's inputs are [{string.Join(", ", session.InputNames)}], this build serves block models with [{string.Join(", ", expected)}] (a suffix model before 3.1.0): retrain it with guardrailctl train";
    }

    /// <summary>The raw logits of every text's windows, in <see cref="IWindowFeaturizer.Windows"/> order, text after text.</summary>
    public static float[] Score(ModelSession session, string model, IBlockWindowFeaturizer featurizer, IReadOnlyList<string> views, int windowCount, int maxBatch, BlockRuns runs)
    {
        var segments = new List<Segment>();
        var windowBase = 0;
        for (var t = 0; t < views.Count; t++)
        {
            var blocks = featurizer.BlockCount(views[t].Length);
            for (var first = 0; ; first += SegmentBlocks - 1)
            {
                segments.Add(new Segment(t, first, Math.Min(SegmentBlocks, blocks - first), windowBase + first));
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
            var inputs = BlockRunLayout.Build(featurizer, views, segments.GetRange(start, n), rows, blocksPerRow, runs.TrimWidth);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var output = session.Run(inputs, "logit", out _);
            InferenceMetrics.Batch(model, n, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            for (var r = 0; r < n; r++)
            {
                // A one-block segment (a text of one block) has one window: its block with the zero block.
                var segment = segments[start + r];
                var windows = Math.Max(1, segment.Blocks - 1);
                output.AsSpan(r * (blocksPerRow - 1), windows).CopyTo(raw.AsSpan(segment.FirstWindow, windows));
            }
        }

        return raw;
    }

    /// <summary>Consecutive segments cut into batches: at most <paramref name="maxBatch"/> rows and,
    /// unless one segment alone is larger, at most <paramref name="maxIds"/> ids at full width (rows
    /// to a power of two, blocks to a power of two of at least 2), so many short texts still share a Run.</summary>
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

/// <summary>Blocks [FirstBlock, FirstBlock + Blocks) of text Text, whose first window is FirstWindow overall.</summary>
internal readonly record struct Segment(int Text, int FirstBlock, int Blocks, int FirstWindow);

/// <summary>How block batches are cut for one execution provider.</summary>
/// <param name="MaxIdsPerRun">Ids per ONNX Run at full width (unless one segment alone is larger).</param>
/// <param name="TrimWidth">Group blocks by id count, each group only as wide as its fullest block;
/// otherwise every block slot is a row at <see cref="IBlockWindowFeaturizer.IdsPerBlock"/>.</param>
internal sealed record BlockRuns(int MaxIdsPerRun, bool TrimWidth)
{
    /// <summary>
    /// CPU: 65,536 ids per Run counted at full width, 8 segments of 1,024 characters, about 36,000
    /// ids once grouped by width: a Run costs some 8 µs whatever its size, and 64 segments at once
    /// gather more than the cache holds (bench-models --data promptshield_benign, suffix at batch
    /// 64, three alternating runs: 16,384 ids 69.6/73.2/75.1 µs, 65,536 65.4/62.8/74.5, 262,144
    /// 68.2/67.2/67.9). Short texts still go 64 to a Run.
    /// </summary>
    public static readonly BlockRuns Cpu = new(65_536, true);

    /// <summary>A GPU wants whole batches of fixed shapes.</summary>
    public static readonly BlockRuns Gpu = new(int.MaxValue, false);

    public static BlockRuns For(ModelSession session) => session.ExecutionProvider == "cpu" ? Cpu : Gpu;
}
