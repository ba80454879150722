namespace Guardrail.Detection.Detectors;

/// <summary>
/// Batch shapes for the ONNX detectors: a batch of n rows is padded to the next power of two (at
/// most the maximum), so a model sees few distinct shapes (what a GPU needs to reuse its kernels
/// and memory) and a CPU wastes at most half a batch.
/// </summary>
internal static class PaddedBatch
{
    public static int Rows(int n, int maxBatch) => Math.Min(maxBatch, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, n)));

    /// <summary>The row width for a batch whose fullest row has <paramref name="widest"/> ids: the next
    /// power of two from 64 up to <paramref name="maxWidth"/>, so that a model again sees few shapes.</summary>
    public static int Width(int widest, int maxWidth) => Math.Min(maxWidth, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, widest)));

    /// <summary>The ranges [start, start + count) that cut <paramref name="total"/> rows into batches.</summary>
    public static IEnumerable<(int Start, int Count)> Split(int total, int maxBatch)
    {
        for (var start = 0; start < total; start += maxBatch)
        {
            yield return (start, Math.Min(maxBatch, total - start));
        }
    }

    [ThreadStatic]
    private static long[]? _threadIds;

    /// <summary>This thread's ids buffer, at least <paramref name="length"/> long, its contents left
    /// over from the last batch: a batch's ids are 100+ KB, which as a new array each Run would be
    /// a large-object allocation. A Run reads only its shape's share (<c>TensorInput</c>).</summary>
    public static long[] ThreadIds(int length) => Ensure(ref _threadIds, length);

    /// <summary>A reused buffer of at least <paramref name="length"/> elements, replaced (contents
    /// lost) only when too short.</summary>
    public static T[] Ensure<T>([System.Diagnostics.CodeAnalysis.NotNull] ref T[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = new T[length];
        }

        return buffer;
    }
}
