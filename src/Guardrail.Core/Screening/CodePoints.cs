namespace Guardrail.Core.Screening;

/// <summary>The API counts spans in Unicode code points; .NET strings index UTF-16 units.</summary>
public static class CodePoints
{
    /// <summary>How many code points precede UTF-16 index <paramref name="index"/>.</summary>
    public static int Before(string text, int index)
    {
        var count = index;
        for (var i = 0; i < index - 1; i++)
        {
            if (char.IsHighSurrogate(text[i]) && char.IsLowSurrogate(text[i + 1]))
            {
                count--;
                i++;
            }
        }

        return count;
    }
}
