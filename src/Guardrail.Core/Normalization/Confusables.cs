using System.Collections.Frozen;

namespace Guardrail.Core.Normalization;

/// <summary>
/// Letters from other scripts that look like Latin ones (after NFKC and lower-casing), mapped to
/// the Latin letter they imitate. A subset of Unicode's confusables.txt chosen for the letters an
/// attacker needs to spell English instructions; NFKC already folds full-width and mathematical
/// alphanumerics, so they are not listed.
/// </summary>
internal static class Confusables
{
    private static readonly FrozenDictionary<char, char> Map = new Dictionary<char, char>
    {
        // Cyrillic
        ['а'] = 'a', ['в'] = 'b', ['е'] = 'e', ['ё'] = 'e', ['һ'] = 'h', ['і'] = 'i', ['ї'] = 'i', ['ј'] = 'j',
        ['к'] = 'k', ['ӏ'] = 'l', ['м'] = 'm', ['н'] = 'h', ['о'] = 'o', ['р'] = 'p', ['с'] = 'c', ['ԛ'] = 'q',
        ['ѕ'] = 's', ['т'] = 't', ['у'] = 'y', ['ү'] = 'y', ['х'] = 'x', ['ԝ'] = 'w', ['ԁ'] = 'd', ['ѵ'] = 'v',
        ['ɡ'] = 'g', ['ց'] = 'g',
        // Greek
        ['α'] = 'a', ['β'] = 'b', ['ε'] = 'e', ['ι'] = 'i', ['κ'] = 'k', ['ν'] = 'v', ['ο'] = 'o', ['ρ'] = 'p',
        ['τ'] = 't', ['υ'] = 'u', ['χ'] = 'x', ['ϲ'] = 'c', ['ϳ'] = 'j', ['ζ'] = 'z', ['η'] = 'n',
        // Armenian and others
        ['օ'] = 'o', ['ս'] = 'u', ['ո'] = 'n', ['հ'] = 'h', ['ı'] = 'i', ['ɑ'] = 'a', ['ꮪ'] = 's',
    }.ToFrozenDictionary();

    /// <summary>The Latin letter <paramref name="c"/> imitates, or 0 when it imitates none.</summary>
    public static char LatinFor(char c) => Map.TryGetValue(c, out var latin) ? latin : '\0';
}
