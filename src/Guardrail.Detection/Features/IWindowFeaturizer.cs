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
/// "seen" set is a per-thread bitset over the buckets, whose bits <see cref="Finish"/> clears
/// again through the row's own ids. An add has no data-dependent branch: for real text whether an
/// id is new is a coin toss, and the open-addressing table this replaced (itself replacing a
/// HashSet&lt;long&gt;) spent about half the suffix featurising time on mispredicted branches
/// (about 7,000 adds per 1,000-character text).
/// </summary>
internal ref struct IdRow
{
    [ThreadStatic]
    private static ulong[]? _threadSeen;

    /// <summary>A row began on this thread and has not reached Finish (an exception between).</summary>
    [ThreadStatic]
    private static bool _threadRowOpen;

    private readonly Span<long> _ids;
    private readonly ulong[] _seen;
    private readonly int _buckets;

    public IdRow(Span<long> ids, int buckets)
    {
        ids.Clear();
        var words = (buckets / 64) + 1; // bits 0..buckets
        if (_threadSeen is null || _threadSeen.Length < words)
        {
            _threadSeen = new ulong[words];
        }
        else if (_threadRowOpen)
        {
            Array.Clear(_threadSeen); // a row left unfinished would hide its ids from this one
        }

        _threadRowOpen = true;

        _seen = _threadSeen;
        _ids = ids;
        _buckets = buckets;
    }

    public int Count { get; private set; }

    /// <summary>No further id fits: adding more is a no-op.</summary>
    public readonly bool Full => Count >= _ids.Length;

    public void Add(ulong hash) => AddBucket(FeatureHash.Bucket(hash, _buckets));

    public void AddBucket(long bucket)
    {
        if (Count >= _ids.Length)
        {
            return;
        }

        // Written whether new or not; a seen id's copy past Count is overwritten by the next
        // new one or cleared by Finish.
        ref var word = ref _seen[(int)(bucket >> 6)];
        var bit = 1UL << (int)(bucket & 63);
        var fresh = (word & bit) == 0;
        word |= bit;
        _ids[Count] = bucket;
        Count += System.Runtime.CompilerServices.Unsafe.BitCast<bool, byte>(fresh);
    }

    /// <summary>Ends the row: clears the slot past its ids and this thread's seen bits; returns
    /// <see cref="Count"/>. Every featuriser ends its rows here (a row left unfinished, by an
    /// exception, makes the thread's next row clear the whole set first).</summary>
    public int Finish()
    {
        if (Count < _ids.Length)
        {
            _ids[Count] = 0;
        }

        foreach (var id in _ids[..Count])
        {
            _seen[(int)(id >> 6)] = 0;
        }

        _threadRowOpen = false;
        return Count;
    }
}
