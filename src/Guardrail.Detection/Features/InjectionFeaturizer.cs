using Guardrail.Core.Normalization;

namespace Guardrail.Detection.Features;

/// <summary>
/// The features of the injection classifier, used by training and by serving alike: over the
/// normalised skeleton (lower-case, look-alikes folded, invisibles removed), hashed word unigrams,
/// word bigrams and character 3- and 4-grams (whitespace runs read as one space), deduplicated, at
/// most <see cref="MaxFeatures"/> per window, padded with 0 to a fixed width so batches are
/// fixed-shape. Long texts are cut into overlapping windows of <see cref="WindowChars"/> skeleton
/// characters, each scored on its own, so a document is scanned whole.
/// </summary>
public sealed class InjectionFeaturizer(int buckets = 1 << 16, int maxFeatures = 1024, int windowChars = 1024, int strideChars = 768) : IWindowFeaturizer
{
    public int Buckets { get; } = buckets;

    public int MaxFeatures { get; } = maxFeatures;

    public int WindowChars { get; } = windowChars;

    public int StrideChars { get; } = strideChars;

    public string View(NormalizedText text) => text.Skeleton;

    public (int Start, int End) ToOriginal(NormalizedText text, int start, int end) => text.SkeletonToOriginal(start, end);

    /// <summary>Window starts and ends in the skeleton; one window for a short text.</summary>
    public IEnumerable<(int Start, int End)> Windows(int skeletonLength)
    {
        for (var start = 0; ; start += StrideChars)
        {
            var end = Math.Min(skeletonLength, start + WindowChars);
            yield return (start, end);
            if (end >= skeletonLength)
            {
                yield break;
            }
        }
    }

    /// <summary>Fills <paramref name="ids"/> (length <see cref="MaxFeatures"/>) and returns how many are set; the window alone counts, no context.</summary>
    public int Featurize(ReadOnlySpan<char> view, int start, int end, Span<long> ids)
    {
        var skeleton = view[start..end];
        var row = new IdRow(ids, Buckets);

        // Words and bigrams: runs of letters and digits.
        var previous = ReadOnlySpan<char>.Empty;
        for (var i = 0; i < skeleton.Length;)
        {
            if (!char.IsLetterOrDigit(skeleton[i]))
            {
                i++;
                continue;
            }

            var from = i;
            while (i < skeleton.Length && char.IsLetterOrDigit(skeleton[i]))
            {
                i++;
            }

            var word = skeleton[from..i];
            row.Add(FeatureHash.Add(FeatureHash.Start('w'), word));
            if (!previous.IsEmpty)
            {
                row.Add(FeatureHash.Add(FeatureHash.Add(FeatureHash.Add(FeatureHash.Start('b'), previous), ' '), word));
            }

            previous = word;
        }

        // Character 3- and 4-grams over the text with whitespace runs collapsed; the last four
        // characters in locals, oldest first (hashed in reading order).
        char w0 = default, w1 = default, w2 = default, w3 = default;
        var filled = 0;
        var lastSpace = true;
        foreach (var raw in skeleton)
        {
            if (row.Full)
            {
                break; // a long window fills its row partway: hashing the rest would add nothing
            }

            var c = char.IsWhiteSpace(raw) ? ' ' : raw;
            if (c == ' ' && lastSpace)
            {
                continue;
            }

            lastSpace = c == ' ';
            (w0, w1, w2, w3) = (w1, w2, w3, c);
            if (++filled >= 3)
            {
                row.Add(FeatureHash.Add(FeatureHash.Add(FeatureHash.Add(Trigram, w1), w2), w3));
                if (filled >= 4)
                {
                    row.Add(FeatureHash.Add(FeatureHash.Add(FeatureHash.Add(FeatureHash.Add(Fourgram, w0), w1), w2), w3));
                }
            }
        }

        return row.Finish();
    }

    private static readonly ulong Trigram = FeatureHash.Start('3');

    private static readonly ulong Fourgram = FeatureHash.Start('4');
}
