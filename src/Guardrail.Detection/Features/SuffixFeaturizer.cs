namespace Guardrail.Detection.Features;

/// <summary>
/// Per-character features of the adversarial-suffix detector, used by training and serving alike.
/// For each position of the clean text (NFKC, invisibles removed, case kept) and each order k = 1..4
/// of a character language model over the lower-cased text, two hashed ids: the n-gram (context
/// plus this character) and its context. The model looks both up in one log-count table, so their
/// difference is the character's surprisal under order k. Six character-class channels (upper,
/// lower, digit, punctuation or symbol, space, non-ASCII) go alongside. Texts are cut into chunks
/// of <see cref="ChunkChars"/> overlapping by a window, padded and masked, so batches are fixed-shape.
/// </summary>
public sealed class SuffixFeaturizer(int tableSize = 1 << 19, int chunkChars = 1024, int windowChars = 32)
{
    public const int Orders = 4;
    public const int Classes = 6;

    public int TableSize { get; } = tableSize;

    public int ChunkChars { get; } = chunkChars;

    public int WindowChars { get; } = windowChars;

    /// <summary>Chunk starts and ends in the clean text; chunks overlap by one window so no window is lost.</summary>
    public IEnumerable<(int Start, int End)> Chunks(int length)
    {
        for (var start = 0; ; start += ChunkChars - WindowChars)
        {
            var end = Math.Min(length, start + ChunkChars);
            yield return (start, end);
            if (end >= length)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// Fills one row of a batch for <paramref name="text"/>[start..end): ids [2·Orders, ChunkChars]
    /// (n-gram id, context id per order), classes [Classes, ChunkChars] and mask [ChunkChars].
    /// The n-grams look back before <paramref name="start"/>, so chunking changes no feature.
    /// </summary>
    public void Featurize(string text, int start, int end, Span<long> ids, Span<float> classes, Span<float> mask)
    {
        ids.Clear();
        classes.Clear();
        mask.Clear();
        for (var i = start; i < end; i++)
        {
            var p = i - start;
            var c = text[i];
            mask[p] = 1;
            for (var k = 1; k <= Orders; k++)
            {
                var (ngram, context) = NgramIds(text, i, k);
                ids[((2 * (k - 1)) * ChunkChars) + p] = ngram;
                ids[(((2 * (k - 1)) + 1) * ChunkChars) + p] = context;
            }

            var cls = c > 127 ? 5 : char.IsUpper(c) ? 0 : char.IsLower(c) ? 1 : char.IsDigit(c) ? 2 : char.IsWhiteSpace(c) ? 4 : 3;
            classes[(cls * ChunkChars) + p] = 1;
        }
    }

    /// <summary>The table ids of the order-k n-gram ending at <paramref name="i"/> and of its context.</summary>
    public (long Ngram, long Context) NgramIds(string text, int i, int k)
    {
        var context = FeatureHash.Start((char)('a' + k));
        for (var j = i - k + 1; j < i; j++)
        {
            context = FeatureHash.Add(context, j >= 0 ? Fold(text[j]) : '\u0002');
        }

        var ngram = FeatureHash.Add(FeatureHash.Add(context, '\u0001'), Fold(text[i]));
        return ((long)(ngram % (ulong)TableSize), (long)(context % (ulong)TableSize));
    }

    /// <summary>What the language model sees: lower case, digits as one symbol.</summary>
    public static char Fold(char c) => char.IsDigit(c) ? '0' : char.ToLowerInvariant(c);
}
