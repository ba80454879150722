namespace Guardrail.Core.Normalization;

/// <summary>A run of ASCII letters, digits and the leetspeak symbols '@' and '$' in a text.</summary>
internal readonly record struct Word(int Start, int End, bool HasLetter, bool HasNonLetter)
{
    public int Length => End - Start;
}

/// <summary>Splits a text into <see cref="Word"/>s; anything else (spaces, punctuation, other
/// scripts) separates them. The letter disguises work on these. Words are looked up in the common
/// list only where a disguise needs it (a lookup costs more than finding the word).</summary>
internal static class Words
{
    public const int MaxWords = 4096;

    public static List<Word> Of(string text)
    {
        // Prose has a word per 5-6 characters: a capacity of a quarter of the length holds them
        // without the list doubling (length / 6 fell just short on ordinary text and regrew it every call).
        var words = new List<Word>(Math.Min((text.Length / 4) + 1, MaxWords));
        var start = -1;
        int kinds = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            var kind = i < text.Length && text[i] < 128 ? Kinds[text[i]] : (byte)0;
            if (kind != 0)
            {
                start = start < 0 ? i : start;
                kinds |= kind;
                continue;
            }

            if (start >= 0)
            {
                words.Add(new Word(start, i, (kinds & Letter) != 0, (kinds & Other) != 0));
                if (words.Count == MaxWords)
                {
                    break;
                }

                (start, kinds) = (-1, 0);
            }
        }

        return words;
    }

    /// <summary>True when the letters-only <paramref name="word"/> is a common word, in any case.</summary>
    public static bool IsCommon(string text, Word word)
    {
        Span<char> lower = stackalloc char[CommonWords.MaxLength];
        return !word.HasNonLetter && word.Length <= CommonWords.MaxLength && CommonWords.Contains(Lower(text.AsSpan(word.Start, word.Length), lower));
    }

    /// <summary>ASCII <paramref name="word"/> lower-cased into <paramref name="into"/> (cut to its length).</summary>
    public static Span<char> Lower(ReadOnlySpan<char> word, Span<char> into)
    {
        var length = Math.Min(word.Length, into.Length);
        for (var k = 0; k < length; k++)
        {
            into[k] = (char)(word[k] | (char.IsAsciiLetterUpper(word[k]) ? 0x20 : 0));
        }

        return into[..length];
    }

    private const byte Letter = 1;
    private const byte Other = 2;

    /// <summary>Per ASCII character: <see cref="Letter"/>, <see cref="Other"/> (digits, '@', '$') or 0 (a separator).</summary>
    private static readonly byte[] Kinds = BuildKinds();

    private static byte[] BuildKinds()
    {
        var kinds = new byte[128];
        for (var c = 0; c < 128; c++)
        {
            kinds[c] = char.IsAsciiLetter((char)c) ? Letter : char.IsAsciiDigit((char)c) || c is '@' or '$' ? Other : (byte)0;
        }

        return kinds;
    }
}
