using Guardrail.Core.Normalization;

namespace Guardrail.Detection.Features;

/// <summary>
/// A text cut into windows, each window turned into at most <see cref="MaxFeatures"/> hashed ids
/// (padded with 0, so batches are fixed-shape). Training and serving call the same implementation,
/// which is what keeps a shipped model and its featuriser in step.
/// </summary>
public interface IWindowFeaturizer
{
    int MaxFeatures { get; }

    /// <summary>The form of the normalised text the windows are taken from (skeleton or clean).</summary>
    string View(NormalizedText text);

    /// <summary>A view span mapped back onto the original text.</summary>
    (int Start, int End) ToOriginal(NormalizedText text, int start, int end);

    /// <summary>Window starts and ends over a view of <paramref name="length"/> characters.</summary>
    IEnumerable<(int Start, int End)> Windows(int length);

    /// <summary>Fills <paramref name="ids"/> (length <see cref="MaxFeatures"/>) with the ids of the
    /// window [start, end) of a view and returns how many are set (a featuriser may read the
    /// characters before the window as context).</summary>
    int Featurize(ReadOnlySpan<char> view, int start, int end, Span<long> ids);
}

/// <summary>
/// A featuriser whose windows are two neighbouring blocks (cut by <see cref="Block"/>), each block
/// featurised on its own: a window's ids are its two blocks' ids. Serving featurises each block once
/// and the model adds neighbouring block sums (<c>EmbeddingBagNetwork.ToBlockOnnx</c>).
/// </summary>
public interface IBlockWindowFeaturizer : IWindowFeaturizer
{
    int IdsPerBlock { get; }

    int BlockCount(int length);

    (int Start, int End) Block(int length, int index);

    /// <summary>Writes the ids of the block [start, end) of a view into <paramref name="ids"/> and returns how many.</summary>
    int FeaturizeBlock(ReadOnlySpan<char> view, int start, int end, Span<long> ids);
}

public static class WindowFeaturizerExtensions
{
    /// <summary>Every window of a text, featurised: (ids row, view span).</summary>
    public static List<(long[] Ids, int Start, int End)> FeaturizeText(this IWindowFeaturizer featurizer, string text)
    {
        var view = featurizer.View(TextNormalizer.Normalize(text));
        var rows = new List<(long[], int, int)>();
        foreach (var (start, end) in featurizer.Windows(view.Length))
        {
            var ids = new long[featurizer.MaxFeatures];
            featurizer.Featurize(view, start, end, ids);
            rows.Add((ids, start, end));
        }

        return rows;
    }

    /// <summary>A whole text (already in the featuriser's view) as one window.</summary>
    public static int Featurize(this IWindowFeaturizer featurizer, ReadOnlySpan<char> view, Span<long> ids)
        => featurizer.Featurize(view, 0, view.Length, ids);
}

/// <summary>
/// Collects distinct hashed ids into a fixed-width row (cleared first; the rest stays 0). The
/// "seen" set is a per-thread open-addressing table whose slots carry the row's generation, so a
/// new row needs no clearing; it replaced a HashSet&lt;long&gt;, whose hashing and clearing were
/// most of the featurising time (about 14,000 adds per 1,000-character text for the suffix model).
/// </summary>
internal ref struct IdRow
{
    [ThreadStatic]
    private static long[]? _threadSlots;

    [ThreadStatic]
    private static uint _threadGeneration;

    private readonly Span<long> _ids;
    private readonly long[] _slots;
    private readonly long _stamp;
    private readonly int _mask;
    private readonly int _buckets;

    public IdRow(Span<long> ids, int buckets)
    {
        ids.Clear();
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, ids.Length * 4));
        if (_threadSlots is null || _threadSlots.Length < size || ++_threadGeneration == 0)
        {
            // A new table, or generations wrapped round: no slot may carry a stamp still in use.
            _threadSlots = new long[Math.Max(size, _threadSlots?.Length ?? 0)];
            _threadGeneration = 1;
        }

        _slots = _threadSlots;
        _mask = _slots.Length - 1;
        _stamp = (long)_threadGeneration << 32;
        _ids = ids;
        _buckets = buckets;
    }

    public int Count { get; private set; }

    public void Add(ulong hash) => AddBucket(FeatureHash.Bucket(hash, _buckets));

    public void AddBucket(long bucket)
    {
        if (Count >= _ids.Length)
        {
            return;
        }

        var entry = _stamp | bucket;
        // Buckets are already uniform hashes, so their low bits pick the slot.
        for (var slot = (int)bucket & _mask; ; slot = (slot + 1) & _mask)
        {
            var held = _slots[slot];
            if (held == entry)
            {
                return;
            }

            if ((held & ~0xFFFFFFFFL) != _stamp)
            {
                _slots[slot] = entry;
                _ids[Count++] = bucket;
                return;
            }
        }
    }
}
