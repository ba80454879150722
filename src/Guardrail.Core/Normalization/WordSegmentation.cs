using System.Text;

namespace Guardrail.Core.Normalization;

/// <summary>Puts the spaces back into letters run together ("ignoreallpreviousinstructions"):
/// the split that covers the most letters with <see cref="CommonWords"/> (dynamic programming,
/// linear in the length). Left as it is when words cover less than 70 % of it.</summary>
internal static class WordSegmentation
{
    private const int MaxChars = 512;

    public static string Segment(string letters)
    {
        if (letters.Length > MaxChars)
        {
            return letters;
        }

        // covered[i]: most letters of letters[..i] inside list words; from[i]: where the word
        // ending at i starts, or -1 when letter i-1 is left uncovered.
        var covered = new int[letters.Length + 1];
        var from = new int[letters.Length + 1];
        for (var i = 1; i <= letters.Length; i++)
        {
            (covered[i], from[i]) = (covered[i - 1], -1);
            for (var j = Math.Max(0, i - CommonWords.MaxLength); j < i; j++)
            {
                var word = letters.AsSpan(j, i - j);
                if ((word.Length > 1 || word[0] is 'a' or 'i') && covered[j] + word.Length > covered[i] && CommonWords.Contains(word))
                {
                    (covered[i], from[i]) = (covered[j] + word.Length, j);
                }
            }
        }

        if (covered[letters.Length] * 10 < letters.Length * 7)
        {
            return letters;
        }

        var pieces = new List<string>();
        var end = letters.Length;
        var pending = new StringBuilder();
        while (end > 0)
        {
            if (from[end] < 0)
            {
                pending.Insert(0, letters[end - 1]);
                end--;
                continue;
            }

            if (pending.Length > 0)
            {
                pieces.Add(pending.ToString());
                pending.Clear();
            }

            pieces.Add(letters[from[end]..end]);
            end = from[end];
        }

        if (pending.Length > 0)
        {
            pieces.Add(pending.ToString());
        }

        pieces.Reverse();
        return string.Join(' ', pieces);
    }
}
