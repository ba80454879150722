using Guardrail.Core.Normalization;

namespace Guardrail.Detection.Features;

/// <summary>
/// The features of the adversarial-suffix detector, used by training and serving alike. Over the
/// clean text (NFKC, invisibles removed, case KEPT: optimised suffixes glue words and capitals in
/// ways prose does not, "argueRIPT", "threeinner"), whitespace runs read as one space: hashed
/// character 2-, 3- and 4-grams as written, and 3- to 6-grams of the characters' shapes (A upper,
/// a lower ASCII, u other letters, 0 digit, punctuation as itself), which carry the rhythm of token
/// soup ("a!](Aa") rather than its words.
/// <para>
/// The text is cut into blocks of <see cref="BlockChars"/> characters aligned to its END (a suffix
/// sits there; the first block is the short one), each block featurised on its own, and a window
/// is two neighbouring blocks: its ids are the two blocks' ids, n-grams counted as often as they
/// occur. So serving featurises every block once and the model sums each block's embeddings once
/// (<see cref="IBlockWindowFeaturizer"/>), half the work of overlapping windows featurised apart,
/// while training sees each window as one row; both give the same logit.
/// </para>
/// </summary>
public sealed class SuffixFeaturizer(int buckets = 1 << 16, int blockChars = 32) : IBlockWindowFeaturizer
{
    /// <summary>Ids per character: three character n-grams (2-4) and four shape n-grams (3-6).</summary>
    public const int IdsPerChar = 7;

    public int Buckets { get; } = buckets;

    public int BlockChars { get; } = blockChars;

    public int IdsPerBlock => BlockChars * IdsPerChar;

    public int MaxFeatures => 2 * IdsPerBlock;

    public string View(NormalizedText text) => text.Clean;

    public (int Start, int End) ToOriginal(NormalizedText text, int start, int end) => text.CleanToOriginal(start, end);

    public int BlockCount(int length) => Math.Max(1, (length + BlockChars - 1) / BlockChars);

    public (int Start, int End) Block(int length, int index)
    {
        var end = length - ((BlockCount(length) - 1 - index) * BlockChars);
        return (Math.Max(0, end - BlockChars), end);
    }

    public IEnumerable<(int Start, int End)> Windows(int length)
    {
        var blocks = BlockCount(length);
        if (blocks == 1)
        {
            yield return (0, length);
            yield break;
        }

        for (var i = 0; i + 1 < blocks; i++)
        {
            yield return (Block(length, i).Start, Block(length, i + 1).End);
        }
    }

    /// <summary>A window's ids: its last <see cref="BlockChars"/> characters are one block, the rest the other.</summary>
    public int Featurize(ReadOnlySpan<char> view, int start, int end, Span<long> ids)
    {
        ids.Clear();
        var split = Math.Max(start, end - BlockChars);
        var count = FeaturizeBlock(view, start, split, ids);
        return count + FeaturizeBlock(view, split, end, ids[count..]);
    }

    /// <summary>
    /// A block's ids: the n-grams ENDING in [start, end), deduplicated within the block. The
    /// characters before the block are their context, so a block's features do not depend on
    /// where the blocks were cut. A whitespace character right after another one is skipped, a
    /// rule that needs only its neighbour, so the context is found by looking back a little.
    /// </summary>
    public int FeaturizeBlock(ReadOnlySpan<char> view, int start, int end, Span<long> ids)
    {
        // The last six kept characters and their shapes, newest first, in locals rather than
        // arrays shifted per character: this loop is the suffix model's whole featurising time.
        char c0 = default, c1 = default, c2 = default, c3 = default;
        char s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default;
        var filled = 0;
        for (var p = start - 1; p >= Math.Max(0, start - ContextLookback) && filled < 5; p--)
        {
            if (Kept(view, p))
            {
                var c = Space(view[p]);
                switch (filled++)
                {
                    case 0: c0 = c; s0 = ShapeOf(c); break;
                    case 1: c1 = c; s1 = ShapeOf(c); break;
                    case 2: c2 = c; s2 = ShapeOf(c); break;
                    case 3: c3 = c; s3 = ShapeOf(c); break;
                    default: s4 = ShapeOf(c); break;
                }
            }
        }

        var row = new IdRow(ids, Buckets);
        var buckets = Buckets;
        // The text's first character counts as following whitespace, as in Kept.
        var previousWhite = start == 0 || char.IsWhiteSpace(view[start - 1]);
        foreach (var raw in view[start..end])
        {
            // A whitespace character right after another one is skipped (Kept).
            var white = char.IsWhiteSpace(raw);
            var skip = white && previousWhite;
            previousWhite = white;
            if (skip)
            {
                continue;
            }

            (c3, c2, c1, c0) = (c2, c1, c0, white ? ' ' : raw);
            (s5, s4, s3, s2, s1, s0) = (s4, s3, s2, s1, s0, ShapeOf(c0));
            filled = Math.Min(filled + 1, 6);

            // Each n-gram's hash extends the next shorter one (newest character first), so a
            // position costs 10 hash steps, not one pass per n-gram.
            var hash = FeatureHash.AddUnit(FeatureHash.AddUnit(CharStart, c0), c1);
            if (filled >= 2)
            {
                row.AddBucket(FeatureHash.MixedBucket(hash, buckets));
                hash = FeatureHash.AddUnit(hash, c2);
                if (filled >= 3)
                {
                    row.AddBucket(FeatureHash.MixedBucket(hash, buckets));
                    hash = FeatureHash.AddUnit(hash, c3);
                    if (filled >= 4)
                    {
                        row.AddBucket(FeatureHash.MixedBucket(hash, buckets));
                    }
                }
            }

            if (filled < 3)
            {
                continue;
            }

            hash = FeatureHash.AddUnit(FeatureHash.AddUnit(FeatureHash.AddUnit(ShapeStart, s0), s1), s2);
            row.AddBucket(FeatureHash.MixedBucket(hash, buckets));
            for (var n = 4; n <= filled; n++)
            {
                hash = FeatureHash.AddUnit(hash, n switch { 4 => s3, 5 => s4, _ => s5 });
                row.AddBucket(FeatureHash.MixedBucket(hash, buckets));
            }
        }

        return row.Finish();
    }

    private static readonly ulong CharStart = FeatureHash.Start('c');

    private static readonly ulong ShapeStart = FeatureHash.Start('s');

    /// <summary>How far back a block looks for its 5 characters of context (past a long whitespace run, it has less).</summary>
    private const int ContextLookback = 16;

    private static bool Kept(ReadOnlySpan<char> view, int p) => !char.IsWhiteSpace(view[p]) || (p > 0 && !char.IsWhiteSpace(view[p - 1]));

    private static char Space(char c) => char.IsWhiteSpace(c) ? ' ' : c;

    /// <summary>A character's shape: A upper, a lower ASCII letter, u any other letter, 0 digit, space, or the character itself.</summary>
    public static char ShapeOf(char c) => c switch
    {
        >= 'A' and <= 'Z' => 'A',
        >= 'a' and <= 'z' => 'a',
        >= '0' and <= '9' => '0',
        ' ' => ' ',
        _ when char.IsLetter(c) => char.IsUpper(c) ? 'U' : 'u',
        _ when char.IsDigit(c) => '0',
        _ => c,
    };
}
