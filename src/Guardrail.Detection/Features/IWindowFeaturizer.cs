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

    /// <summary>Fills <paramref name="ids"/> (length <see cref="MaxFeatures"/>) and returns how many are set.</summary>
    int Featurize(ReadOnlySpan<char> window, Span<long> ids);
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
            featurizer.Featurize(view.AsSpan(start, end - start), ids);
            rows.Add((ids, start, end));
        }

        return rows;
    }
}

/// <summary>Collects distinct hashed ids into a fixed-width row (cleared first; the rest stays 0).</summary>
internal ref struct IdRow
{
    [ThreadStatic]
    private static HashSet<long>? _threadSeen;

    private readonly Span<long> _ids;
    private readonly HashSet<long> _seen;
    private readonly int _buckets;

    public IdRow(Span<long> ids, int buckets)
    {
        ids.Clear();
        _seen = _threadSeen ??= new HashSet<long>(1024);
        _seen.Clear();
        _ids = ids;
        _buckets = buckets;
    }

    public int Count { get; private set; }

    public void Add(ulong hash)
    {
        var bucket = FeatureHash.Bucket(hash, _buckets);
        if (Count < _ids.Length && _seen.Add(bucket))
        {
            _ids[Count++] = bucket;
        }
    }
}
