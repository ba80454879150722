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

    /// <summary>One whole UTF-16 unit per step: half the multiplies of <see cref="Add(ulong, char)"/>.</summary>
    public static ulong AddUnit(ulong hash, char c) => (hash ^ c) * Prime;

    /// <summary>A bucket in 1..buckets after a final mix: FNV's low bits, which a power-of-two
    /// modulus keeps, depend only on the input's low bits.</summary>
    public static long MixedBucket(ulong hash, int buckets)
    {
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        return Modulo(hash, buckets) + 1;
    }

    /// <summary>A bucket in 1..buckets (0 is padding).</summary>
    public static long Bucket(ulong hash, int buckets) => Modulo(hash, buckets) + 1;

    /// <summary>hash mod buckets; a mask when buckets is a power of two (the shipped 65,536), the
    /// same number without a 64-bit division per feature, which was a third of the featurising time.</summary>
    private static long Modulo(ulong hash, int buckets)
        => (long)((buckets & (buckets - 1)) == 0 ? hash & (ulong)(buckets - 1) : hash % (ulong)buckets);
}
