using System.Globalization;
using System.Text;

namespace Guardrail.Core.Normalization;

/// <summary>The code points the normaliser treats specially, and the context tests that keep
/// legitimate uses (emoji ZWJ sequences, ZWNJ in Persian and Indic text) from being flagged.</summary>
internal static class UnicodeClasses
{
    public static bool IsTag(int cp) => cp is >= 0xE0000 and <= 0xE007F;

    public static bool IsVariationSelector(int cp) => cp is (>= 0xFE00 and <= 0xFE0F) or (>= 0xE0100 and <= 0xE01EF);

    /// <summary>Invisible, zero-width format characters that can split words or carry bits.</summary>
    public static bool IsZeroWidth(int cp) => cp is 0x200B or 0x200C or 0x200D or 0x2060 or 0xFEFF or 0x180E
        or (>= 0x2061 and <= 0x2064) or 0x00AD or 0x034F or 0x115F or 0x1160 or 0x3164 or 0xFFA0
        or 0x17B4 or 0x17B5 or 0x061C;

    /// <summary>Bidi embeddings, overrides and isolates (the "Trojan Source" characters).</summary>
    public static bool IsBidiControl(int cp) => cp is (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069);

    public static bool IsBidiOverride(int cp) => cp is 0x202D or 0x202E;

    /// <summary>Left-to-right and right-to-left marks: ordinary in bidirectional text, dropped silently.</summary>
    public static bool IsDirectionMark(int cp) => cp is 0x200E or 0x200F;

    /// <summary>Scripts in which ZWJ and ZWNJ are part of correct spelling (Arabic script, Syriac,
    /// the Indic scripts, Myanmar, Khmer).</summary>
    public static bool IsJoiningScript(int cp) => cp is (>= 0x0600 and <= 0x074F) or (>= 0x0750 and <= 0x077F)
        or (>= 0x08A0 and <= 0x08FF) or (>= 0x0900 and <= 0x0DFF) or (>= 0x1000 and <= 0x109F)
        or (>= 0x1780 and <= 0x17FF) or (>= 0xFB50 and <= 0xFDFF) or (>= 0xFE70 and <= 0xFEFC);

    /// <summary>Emoji and the pieces of emoji sequences (modifiers, VS16, keycaps).</summary>
    public static bool IsEmojiPart(int cp) => cp is (>= 0x1F000 and <= 0x1FAFF) or (>= 0x2600 and <= 0x27BF)
        or (>= 0x1F3FB and <= 0x1F3FF) or 0xFE0F or 0x20E3 or 0x2640 or 0x2642 or 0x2695 or 0x2696
        or 0x2708 or 0x2764 or 0x2B50 or 0x2B55 or (>= 0x2300 and <= 0x23FF);

    public static bool IsBlackFlag(int cp) => cp == 0x1F3F4;

    public static bool IsAsciiLetter(int cp) => cp is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');

    /// <summary>Letters of the Latin script beyond ASCII: Latin-1, Extended-A and -B, IPA extensions,
    /// Extended Additional, Extended-C and -D (Turkish ı, Latin alpha ɑ and script g ɡ among them).</summary>
    public static bool IsLatinLetter(int cp) => cp is (>= 0x00C0 and <= 0x02AF) or (>= 0x1E00 and <= 0x1EFF) or (>= 0x2C60 and <= 0x2C7F) or (>= 0xA720 and <= 0xA7FF);

    public static bool IsCombiningMark(char c)
        => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark;

    public static bool IsLetter(Rune rune) => Rune.IsLetter(rune);
}
