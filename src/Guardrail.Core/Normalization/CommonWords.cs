using System.Collections.Frozen;

namespace Guardrail.Core.Normalization;

/// <summary>
/// About 400 frequent English words, with the vocabulary of instructions to an assistant. The
/// letter disguises use them as evidence: rot13, leetspeak and split words are only undone where
/// undoing them turns several words into words of this list that they were not before. A word
/// missing here is not decoded through these three (base64 and hex need no list).
/// </summary>
internal static class CommonWords
{
    public const int MaxLength = 16;

    private const string List = """
        a about above access act action actual add admin after again against all allowed also always am an and another answer any anyone
        anything are as ask assistant at attention away back bad be because become been before begin behind being below best between
        beyond bot break bypass but by call can cannot care case change character chat check code come command commands confidential
        constraints content context continue could credentials data day decode delete delimiter developer did different directions
        disable disregard do does doing done down dump during each earlier email end enable ethical ethics even ever every everything
        evil example except execute explain false filter filters find first follow following for forget format forward free from full
        further get give given go good great guidelines had has have he hello help her here hidden hide his how however human i if
        ignore immediately important in information initial input inside instead instruction instructions into is it its just keep
        key kill know language last leak least left let like limit limits list long look made make malicious many may me message
        messages might mode model more most much must my name need never new next no not note nothing now number of off old on once
        one only open or order orders original other our out output over override own part password passwords people person place
        please point policy possible pretend previous print prior private problem program prompt prompts public put question
        questions rather read real really remember remove repeat reply request respond response restrictions return reveal right
        role rule rules run safe safety said same say secret secrets security see send sentence set shall she should show since so
        some something start state still stop story such summary sure system take task tell text than thank that the their them
        then there these they thing things think this those through time to today told too true try turn under understand unless
        until up update upon us use user users very want was way we well were what when where which while who whole why will with
        within without word words work world would write wrong yes yet you your yourself
        """;

    private static readonly FrozenSet<string> Set = List.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> Lookup = Set.GetAlternateLookup<ReadOnlySpan<char>>();

    // One bit per (length, first letter, second letter) of the list's words: most words of a text
    // that are not in the list are turned away here, before any hashing.
    private static readonly ulong[] Prefixes = BuildPrefixes();

    /// <summary>True for a word of the list; <paramref name="lowercase"/> must be lower-case ASCII.</summary>
    public static bool Contains(ReadOnlySpan<char> lowercase)
    {
        var bit = PrefixBit(lowercase);
        return bit >= 0 && (Prefixes[bit >> 6] & (1UL << (bit & 63))) != 0 && Lookup.Contains(lowercase);
    }

    /// <summary>False when no list word has this length and starts with these two letters (any case).</summary>
    public static bool MightContain(int length, char first, char second)
    {
        Span<char> prefix = [(char)(first | 0x20), (char)(second | 0x20)];
        var bit = PrefixBit(prefix, length);
        return bit >= 0 && (Prefixes[bit >> 6] & (1UL << (bit & 63))) != 0;
    }

    private static int PrefixBit(ReadOnlySpan<char> word) => PrefixBit(word, word.Length);

    private static int PrefixBit(ReadOnlySpan<char> word, int length)
    {
        if (length is 0 or > MaxLength || word[0] is < 'a' or > 'z')
        {
            return -1;
        }

        var second = length == 1 ? 26 : word[1] - 'a';
        return second is < 0 or > 26 ? -1 : (((length * 26) + word[0] - 'a') * 27) + second;
    }

    private static ulong[] BuildPrefixes()
    {
        var bits = new ulong[((((MaxLength + 1) * 26) * 27) + 63) / 64];
        foreach (var word in Set)
        {
            var bit = PrefixBit(word);
            bits[bit >> 6] |= 1UL << (bit & 63);
        }

        return bits;
    }
}
