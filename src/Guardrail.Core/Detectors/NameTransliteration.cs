using System.Text;

namespace Guardrail.Core.Detectors;

/// <summary>
/// Russian, Ukrainian and Greek names in Latin letters, the way English text usually spells them
/// ("Ольга Петрова" -> "Olga Petrova", "Παπαδόπουλος" -> "Papadopoulos"), so the gazetteer's
/// Cyrillic and Greek lists also read names written in English. A simplified BGN/PCGN-style
/// table: soft and hard signs dropped, accents dropped, Greek "ου" read as "ou". One spelling per
/// name ("Aleksandr", not also "Alexander", which the Latin lists hold anyway).
/// </summary>
internal static class NameTransliteration
{
    private static readonly Dictionary<char, string> Letters = new()
    {
        ['а'] = "a", ['б'] = "b", ['в'] = "v", ['г'] = "g", ['ґ'] = "g", ['д'] = "d", ['е'] = "e", ['ё'] = "e", ['є'] = "ye", ['ж'] = "zh",
        ['з'] = "z", ['и'] = "i", ['і'] = "i", ['ї'] = "yi", ['й'] = "y", ['к'] = "k", ['л'] = "l", ['м'] = "m", ['н'] = "n", ['о'] = "o",
        ['п'] = "p", ['р'] = "r", ['с'] = "s", ['т'] = "t", ['у'] = "u", ['ф'] = "f", ['х'] = "kh", ['ц'] = "ts", ['ч'] = "ch", ['ш'] = "sh",
        ['щ'] = "shch", ['ъ'] = "", ['ы'] = "y", ['ь'] = "", ['э'] = "e", ['ю'] = "yu", ['я'] = "ya", ['\''] = "",
        ['α'] = "a", ['β'] = "v", ['γ'] = "g", ['δ'] = "d", ['ε'] = "e", ['ζ'] = "z", ['η'] = "i", ['θ'] = "th", ['ι'] = "i", ['κ'] = "k",
        ['λ'] = "l", ['μ'] = "m", ['ν'] = "n", ['ξ'] = "x", ['ο'] = "o", ['π'] = "p", ['ρ'] = "r", ['σ'] = "s", ['ς'] = "s", ['τ'] = "t",
        ['υ'] = "y", ['φ'] = "f", ['χ'] = "ch", ['ψ'] = "ps", ['ω'] = "o",
    };

    /// <summary>The name in Latin letters, capitalised, or null when a letter has no entry (a name already in Latin letters).</summary>
    public static string? ToLatin(string name)
    {
        // Accents off first (ά -> α, ё stays: it is its own letter in the table).
        var bare = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant().Normalize(NormalizationForm.FormD))
        {
            if (System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.NonSpacingMark)
            {
                bare.Append(c);
            }
        }

        var text = bare.ToString().Normalize(NormalizationForm.FormC).Replace("ου", "ou", StringComparison.Ordinal);
        var latin = new StringBuilder(text.Length + 4);
        foreach (var c in text)
        {
            if (c is >= 'a' and <= 'z')
            {
                latin.Append(c); // from a digraph already written
            }
            else if (Letters.TryGetValue(c, out var spelled))
            {
                latin.Append(spelled);
            }
            else
            {
                return null;
            }
        }

        return latin.Length < 3 ? null : char.ToUpperInvariant(latin[0]) + latin.ToString(1, latin.Length - 1);
    }
}
