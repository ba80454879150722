namespace Guardrail.Detection.Features;

/// <summary>
/// 64-bit FNV-1a over UTF-16 code units, seeded per feature kind. Fixed arithmetic, no
/// randomisation, so a text hashes to the same buckets in training and serving, on any machine.
/// </summary>
internal static class FeatureHash
{
    public const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    public static ulong Start(char kind) => Add(Offset, kind);

    public static ulong Add(ulong hash, char c)
    {
        hash = (hash ^ (byte)c) * Prime;
        return (hash ^ (byte)(c >> 8)) * Prime;
    }

    public static ulong Add(ulong hash, ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            hash = Add(hash, c);
        }

        return hash;
    }

    /// <summary>A bucket in 1..buckets (0 is padding).</summary>
    public static long Bucket(ulong hash, int buckets) => (long)(hash % (ulong)buckets) + 1;
}
