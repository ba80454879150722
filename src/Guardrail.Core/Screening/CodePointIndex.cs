namespace Guardrail.Core.Screening;

/// <summary>
/// Converts UTF-16 indices of one text into code-point indices (the API's span unit) in O(log n):
/// the positions of surrogate pairs are found once, so a response with many findings deep in a
/// long text costs no more than the text itself. Text without surrogates maps to itself.
/// </summary>
public sealed class CodePointIndex
{
    private readonly int[]? _pairStarts;

    public CodePointIndex(string text)
    {
        if (text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return;
        }

        var starts = new List<int>();
        for (var i = 0; i + 1 < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && char.IsLowSurrogate(text[i + 1]))
            {
                starts.Add(i++);
            }
        }

        _pairStarts = [.. starts];
    }

    /// <summary>How many code points precede UTF-16 index <paramref name="utf16Index"/>.</summary>
    public int Before(int utf16Index)
    {
        if (_pairStarts is null)
        {
            return utf16Index;
        }

        // A pair starting at p is one code point less once both its units precede the index: p < index - 1.
        var at = Array.BinarySearch(_pairStarts, utf16Index - 1);
        var pairsBefore = at >= 0 ? at : ~at;
        return utf16Index - pairsBefore;
    }
}
