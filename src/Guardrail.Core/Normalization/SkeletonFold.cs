using System.Text;

namespace Guardrail.Core.Normalization;

/// <summary>
/// What each BMP character becomes in the skeleton: canonically decomposed, combining marks
/// dropped, lower-cased, look-alikes mapped to Latin ("Ï" → "i", "Р" → "p"); '\0' for a character
/// that is only marks. Built once (64K entries) so the hot path is a table lookup.
/// </summary>
internal static class SkeletonFold
{
    private static readonly char[] Table = Build();

    public static char Fold(char c) => c < 0x80 ? (char)(c is >= 'A' and <= 'Z' ? c + 32 : c) : Table[c];

    private static char[] Build()
    {
        var table = new char[0x10000];
        for (var i = 0; i < table.Length; i++)
        {
            var c = (char)i;
            table[i] = char.IsSurrogate(c) ? c : FoldSlow(c);
        }

        return table;
    }

    private static char FoldSlow(char c)
    {
        if (UnicodeClasses.IsCombiningMark(c))
        {
            return '\0';
        }

        var decomposed = SafeNormalize.Apply(c.ToString(), NormalizationForm.FormD);
        var baseChar = decomposed.FirstOrDefault(d => !UnicodeClasses.IsCombiningMark(d));
        if (baseChar == '\0')
        {
            return '\0';
        }

        var lower = char.ToLowerInvariant(baseChar);
        var latin = Confusables.LatinFor(lower);
        return latin != '\0' ? latin : lower;
    }
}
