using Guardrail.Core.Normalization;

namespace Guardrail.Detection.Features;

/// <summary>
/// The features of the adversarial-suffix detector, used by training and serving alike. Over the
/// clean text (NFKC, invisibles removed, case KEPT: optimised suffixes glue words and capitals in
/// ways prose does not, "argueRIPT", "threeinner"), whitespace runs read as one space: hashed
/// character 2-, 3- and 4-grams as written, and 3- to 6-grams of the characters' shapes (A upper,
/// a lower ASCII, u other letters, 0 digit, punctuation as itself), which carry the rhythm of token
/// soup ("a!](Aa") rather than its words. Windows of <see cref="WindowChars"/> characters every
/// <see cref="StrideChars"/>, plus one ending exactly at the text's end, where a suffix sits.
/// </summary>
public sealed class SuffixFeaturizer(int buckets = 1 << 16, int maxFeatures = 512, int windowChars = 64, int strideChars = 32) : IWindowFeaturizer
{
    public int Buckets { get; } = buckets;

    public int MaxFeatures { get; } = maxFeatures;

    public int WindowChars { get; } = windowChars;

    public int StrideChars { get; } = strideChars;

    public string View(NormalizedText text) => text.Clean;

    public (int Start, int End) ToOriginal(NormalizedText text, int start, int end) => text.CleanToOriginal(start, end);

    public IEnumerable<(int Start, int End)> Windows(int length)
    {
        if (length <= WindowChars)
        {
            yield return (0, length);
            yield break;
        }

        var start = 0;
        for (; start + WindowChars < length; start += StrideChars)
        {
            yield return (start, start + WindowChars);
        }

        yield return (length - WindowChars, length);
    }

    public int Featurize(ReadOnlySpan<char> window, Span<long> ids)
    {
        var row = new IdRow(ids, Buckets);
        Span<char> chars = stackalloc char[6];
        Span<char> shapes = stackalloc char[6];
        var filled = 0;
        var lastSpace = true;
        foreach (var raw in window)
        {
            var c = char.IsWhiteSpace(raw) ? ' ' : raw;
            if (c == ' ' && lastSpace)
            {
                continue;
            }

            lastSpace = c == ' ';
            chars[..5].CopyTo(chars[1..]);
            shapes[..5].CopyTo(shapes[1..]);
            chars[0] = c;
            shapes[0] = ShapeOf(c);
            filled = Math.Min(filled + 1, 6);
            for (var n = 2; n <= Math.Min(filled, 4); n++)
            {
                row.Add(FeatureHash.Add(FeatureHash.Start((char)('0' + n)), chars[..n]));
            }

            for (var n = 3; n <= filled; n++)
            {
                row.Add(FeatureHash.Add(FeatureHash.Start((char)('S' + n)), shapes[..n]));
            }
        }

        return row.Count;
    }

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
