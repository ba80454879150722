namespace Guardrail.Detection.Detectors;

/// <summary>
/// Batch shapes for the ONNX detectors: a batch of n rows is padded to the next power of two (at
/// most the maximum), so a model sees few distinct shapes (what a GPU needs to reuse its kernels
/// and memory) and a CPU wastes at most half a batch.
/// </summary>
internal static class PaddedBatch
{
    public static int Rows(int n, int maxBatch) => Math.Min(maxBatch, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, n)));

    /// <summary>The ranges [start, start + count) that cut <paramref name="total"/> rows into batches.</summary>
    public static IEnumerable<(int Start, int Count)> Split(int total, int maxBatch)
    {
        for (var start = 0; start < total; start += maxBatch)
        {
            yield return (start, Math.Min(maxBatch, total - start));
        }
    }
}
