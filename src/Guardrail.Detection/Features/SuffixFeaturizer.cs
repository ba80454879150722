namespace Guardrail.Detection.Features;

/// <summary>
/// Per-character features of the adversarial-suffix detector, used by training and serving alike.
/// For each position of the clean text (NFKC, invisibles removed, case kept) and each order k = 1..5
/// of a character language model over the lower-cased text, two hashed ids: the n-gram (context
/// plus this character) and its context; a sixth pair does the same for the word the character is
/// in (word unigram against all words; id 0 outside words, which reads as no surprise). The model
/// looks both up in one log-count table, so their difference is the surprisal. Six character-class channels (upper,
/// lower, digit, punctuation or symbol, space, non-ASCII) go alongside. Texts are cut into chunks
/// of <see cref="ChunkChars"/> overlapping by a window, padded and masked, so batches are fixed-shape.
/// </summary>
public sealed class SuffixFeaturizer(int tableSize = 1 << 19, int chunkChars = 1024, int windowChars = 32)
{
    /// <summary>Character orders 1..5 and the word channel.</summary>
    public const int Orders = 6;
    public const int CharacterOrders = 5;
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
    /// Fills one row of a batch for <paramref name="text"/>[start..end): ids [2·Orders, rowLength]
    /// (n-gram id, context id per order), classes [Classes, rowLength] and mask [rowLength], with
    /// rowLength ≥ end - start (the batch's padded length). The n-grams look back before
    /// <paramref name="start"/>, so chunking changes no feature.
    /// </summary>
    public void Featurize(string text, int start, int end, int rowLength, Span<long> ids, Span<float> classes, Span<float> mask)
    {
        ids.Clear();
        classes.Clear();
        mask.Clear();
        var word = WordIds(text, start, end);
        for (var i = start; i < end; i++)
        {
            var p = i - start;
            var c = text[i];
            mask[p] = 1;
            for (var k = 1; k <= Orders; k++)
            {
                var (ngram, context) = k <= CharacterOrders ? NgramIds(text, i, k) : word[p];
                ids[((2 * (k - 1)) * rowLength) + p] = ngram;
                ids[(((2 * (k - 1)) + 1) * rowLength) + p] = context;
            }

            classes[(ClassOf(c) * rowLength) + p] = 1;
        }
    }

    /// <summary>For each position in [start, end): the table ids of the word it belongs to and of the
    /// word channel's context, or (0, 0) outside words. Words are runs of letters, read whole even
    /// where they cross the range's edges.</summary>
    public (long Ngram, long Context)[] WordIds(string text, int start, int end)
    {
        var ids = new (long, long)[end - start];
        var context = Bucket(FeatureHash.Start('W'));
        var i = start;
        while (i > 0 && i < text.Length && char.IsLetter(text[i - 1]) && char.IsLetter(text[i]))
        {
            i--;
        }

        while (i < end)
        {
            if (!char.IsLetter(text[i]))
            {
                i++;
                continue;
            }

            var wordStart = i;
            var hash = FeatureHash.Start('w');
            while (i < text.Length && char.IsLetter(text[i]))
            {
                hash = FeatureHash.Add(hash, Fold(text[i]));
                i++;
            }

            var id = Bucket(hash);
            for (var j = Math.Max(wordStart, start); j < Math.Min(i, end); j++)
            {
                ids[j - start] = (id, context);
            }
        }

        return ids;
    }

    /// <summary>Every word of a text as a table id (what the language model counts).</summary>
    public IEnumerable<long> Words(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            if (!char.IsLetter(text[i]))
            {
                i++;
                continue;
            }

            var hash = FeatureHash.Start('w');
            while (i < text.Length && char.IsLetter(text[i]))
            {
                hash = FeatureHash.Add(hash, Fold(text[i++]));
            }

            yield return Bucket(hash);
        }
    }

    /// <summary>The context id of the word channel (all words).</summary>
    public long WordContext => Bucket(FeatureHash.Start('W'));

    /// <summary>A table id in 1..TableSize-1; 0 is kept for "not a word".</summary>
    private long Bucket(ulong hash) => (long)(hash % (ulong)(TableSize - 1)) + 1;

    /// <summary>The table ids of the order-k n-gram ending at <paramref name="i"/> and of its context.</summary>
    public (long Ngram, long Context) NgramIds(string text, int i, int k)
    {
        var context = FeatureHash.Start((char)('a' + k));
        for (var j = i - k + 1; j < i; j++)
        {
            context = FeatureHash.Add(context, j >= 0 ? Fold(text[j]) : '\u0002');
        }

        var ngram = FeatureHash.Add(FeatureHash.Add(context, '\u0001'), Fold(text[i]));
        return (Bucket(ngram), Bucket(context));
    }

    /// <summary>The character-class channel of <paramref name="c"/>: 0 upper, 1 lower, 2 digit,
    /// 3 punctuation or symbol, 4 space, 5 non-ASCII.</summary>
    public static int ClassOf(char c)
        => c > 127 ? 5 : char.IsUpper(c) ? 0 : char.IsLower(c) ? 1 : char.IsDigit(c) ? 2 : char.IsWhiteSpace(c) ? 4 : 3;

    /// <summary>What the language model sees: lower case, digits as one symbol.</summary>
    public static char Fold(char c) => char.IsDigit(c) ? '0' : char.ToLowerInvariant(c);
}
