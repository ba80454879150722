using System.Text;

namespace Guardrail.Core.Normalization;

/// <summary>
/// Rot13, leetspeak ("1gn0r3 4ll") and split words ("i g n o r e", "ign-ore", "ig nore"). Each is
/// undone only where undoing it makes common words (<see cref="CommonWords"/>) of words that were
/// not: the evidence. A payload's span covers the disguised words; leetspeak and split-word payloads
/// carry up to <see cref="ContextChars"/> characters of the text around them, undisguised words and
/// all, so a phrase disguised in part is read whole.
/// </summary>
internal static class LetterDisguises
{
    private const int ContextChars = 200;
    private const int MinRot13Evidence = 3;
    private const int MinLetterRun = 4;

    public static void FindRot13(string text, List<Word> words, List<EncodedPayload> found)
    {
        Span<char> plain = stackalloc char[CommonWords.MaxLength];
        Span<char> rotated = stackalloc char[CommonWords.MaxLength];
        int first = -1, last = -1, evidence = 0;
        for (var k = 0; k < words.Count; k++)
        {
            // Evidence: a word that is common rotated and was not (so "be" and "or", which rotate
            // into each other, are none).
            var word = words[k];
            if (word is { HasNonLetter: false, Length: >= 2 and <= CommonWords.MaxLength })
            {
                var w = Lower(text, word, plain);
                Rot13(w, rotated);
                if (CommonWords.Contains(rotated[..w.Length]) && !CommonWords.Contains(w))
                {
                    evidence++;
                    first = first < 0 ? k : first;
                    last = k;
                }
            }
        }

        // More evidence than plain common words between the first and the last of it.
        if (evidence >= MinRot13Evidence && evidence > PlainCommonWords(text, words, first, last))
        {
            var (start, end) = (words[first].Start, words[last].End);
            var decoded = new char[end - start];
            Rot13(text.AsSpan(start, end - start), decoded);
            found.Add(new EncodedPayload(PayloadEncoding.Rot13, start, end, new string(decoded)));
        }
    }

    private static int PlainCommonWords(string text, List<Word> words, int first, int last)
    {
        var count = 0;
        for (var k = first; k <= last; k++)
        {
            count += Words.IsCommon(text, words[k]) ? 1 : 0;
        }

        return count;
    }

    public static void FindLeetspeak(string text, List<Word> words, List<EncodedPayload> found)
    {
        Span<char> plain = stackalloc char[CommonWords.MaxLength];
        var replacements = new List<(int Start, int End, string With)>();
        foreach (var word in words)
        {
            if (word is not { HasLetter: true, HasNonLetter: true, Length: >= 3 and <= CommonWords.MaxLength })
            {
                continue;
            }

            var w = Lower(text, word, plain);
            for (var k = 0; k < w.Length; k++)
            {
                w[k] = w[k] switch { '0' => 'o', '1' => 'i', '3' => 'e', '4' => 'a', '5' => 's', '7' => 't', '8' => 'b', '@' => 'a', '$' => 's', var c => c };
            }

            if (CommonWords.Contains(w))
            {
                replacements.Add((word.Start, word.End, new string(w)));
            }
        }

        if (replacements.Count > 0)
        {
            found.Add(Rewrite(PayloadEncoding.Leetspeak, text, replacements));
        }
    }

    /// <summary>Runs of four or more single letters with one separator between them (two or more
    /// spaces, or " / ", between words), and two or three pieces with one separator between them
    /// that together make a common word when not every piece is one.</summary>
    public static void FindSplitWords(string text, List<Word> words, List<EncodedPayload> found)
    {
        var replacements = new List<(int Start, int End, string With)>();
        Span<char> joined = stackalloc char[CommonWords.MaxLength];
        var k = 0;
        while (k < words.Count)
        {
            var run = LetterRunEnd(text, words, k);
            if (run - k >= MinLetterRun)
            {
                replacements.Add((words[k].Start, words[run - 1].End, JoinLetters(text, words, k, run)));
                k = run;
                continue;
            }

            var pieces = JoinablePieces(text, words, k, joined, out var length);
            if (pieces > 0)
            {
                replacements.Add((words[k].Start, words[k + pieces - 1].End, new string(joined[..length])));
                k += pieces;
                continue;
            }

            k++;
        }

        if (replacements.Count > 0)
        {
            found.Add(Rewrite(PayloadEncoding.Split, text, replacements));
        }
    }

    /// <summary>Where the run of single letters starting at word <paramref name="k"/> ends.</summary>
    private static int LetterRunEnd(string text, List<Word> words, int k)
    {
        var end = k;
        while (end < words.Count && words[end] is { Length: 1, HasLetter: true } && (end == k || Gap(text, words[end - 1], words[end]) != GapKind.None))
        {
            end++;
        }

        return end;
    }

    private static string JoinLetters(string text, List<Word> words, int from, int to)
    {
        var letters = new StringBuilder(to - from);
        var bounded = false;
        for (var k = from; k < to; k++)
        {
            if (k > from && Gap(text, words[k - 1], words[k]) == GapKind.WordBreak)
            {
                letters.Append(' ');
                bounded = true;
            }

            letters.Append(char.ToLowerInvariant(text[words[k].Start]));
        }

        return bounded ? letters.ToString() : WordSegmentation.Segment(letters.ToString());
    }

    /// <summary>2 or 3 when the letter-only words from <paramref name="k"/>, one separator apart,
    /// join into a common word of five or more letters (then in <paramref name="joined"/>, lower-case,
    /// <paramref name="length"/> letters long). Each piece has two letters or more, and
    /// none is a common word when a space separates them ("ig nore"), at most one when a hyphen,
    /// dot or the like does ("in-struc-tions"): "some times" and "Here's how" stay as they are.</summary>
    private static int JoinablePieces(string text, List<Word> words, int k, Span<char> joined, out int length)
    {
        for (var pieces = Math.Min(3, words.Count - k); pieces >= 2; pieces--)
        {
            length = 0;
            var spaced = false;
            var p = 0;
            for (; p < pieces; p++)
            {
                var word = words[k + p];
                if (word.HasNonLetter || word.Length < 2 || (p > 0 && !OneSeparator(text, words[k + p - 1], word)))
                {
                    break;
                }

                spaced |= p > 0 && text[word.Start - 1] == ' ';
                length += word.Length;
            }

            if (p < pieces || length is < 5 or > CommonWords.MaxLength || !CommonWords.MightContain(length, text[words[k].Start], text[words[k].Start + 1]))
            {
                continue;
            }

            var at = 0;
            var common = 0;
            for (p = 0; p < pieces; p++)
            {
                at += Lower(text, words[k + p], joined[at..]).Length;
            }

            if (!CommonWords.Contains(joined[..length]))
            {
                continue;
            }

            for (p = 0; p < pieces; p++)
            {
                common += Words.IsCommon(text, words[k + p]) ? 1 : 0;
            }

            if (common <= (spaced ? 0 : 1))
            {
                return pieces;
            }
        }

        length = 0;
        return 0;
    }

    private static bool OneSeparator(string text, Word before, Word after)
        => after.Start - before.End == 1 && text[before.End] is ' ' or '.' or '-' or '_' or '*' or '|' or '+' or '~';

    private enum GapKind { None, Within, WordBreak }

    /// <summary>One separator character: the same word. Two or more spaces, or " / ": a word break.</summary>
    private static GapKind Gap(string text, Word before, Word after)
    {
        if (OneSeparator(text, before, after))
        {
            return GapKind.Within;
        }

        var gap = text.AsSpan(before.End, after.Start - before.End);
        var marks = gap.Trim(' ');
        return gap.Length >= 2 && (marks.IsEmpty || marks is "/" or "|") ? GapKind.WordBreak : GapKind.None;
    }

    /// <summary>The text from <see cref="ContextChars"/> before the first replacement to as many after
    /// the last, with the replacements made; the payload's span is the replaced stretch.</summary>
    private static EncodedPayload Rewrite(string encoding, string text, List<(int Start, int End, string With)> replacements)
    {
        var (start, end) = (replacements[0].Start, replacements[^1].End);
        var (from, to) = (Math.Max(0, start - ContextChars), Math.Min(text.Length, end + ContextChars));
        var decoded = new StringBuilder(to - from);
        var at = from;
        var decodedStart = start - from;
        foreach (var (s, e, with) in replacements)
        {
            decoded.Append(text, at, s - at).Append(with);
            at = e;
        }

        var decodedEnd = decoded.Length;
        decoded.Append(text, at, to - at);
        return new EncodedPayload(encoding, start, end, decoded.ToString(), decodedStart, decodedEnd);
    }

    private static Span<char> Lower(string text, Word word, Span<char> into) => Words.Lower(text.AsSpan(word.Start, word.Length), into);

    private static void Rot13(ReadOnlySpan<char> from, Span<char> into)
    {
        for (var k = 0; k < from.Length; k++)
        {
            var c = from[k];
            into[k] = c switch
            {
                >= 'a' and <= 'z' => (char)('a' + ((c - 'a' + 13) % 26)),
                >= 'A' and <= 'Z' => (char)('A' + ((c - 'A' + 13) % 26)),
                _ => c,
            };
        }
    }
}
