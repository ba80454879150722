using System.Text;

namespace Guardrail.Core.Normalization;

/// <summary>
/// Unicode normalisation that never throws: .NET refuses strings holding noncharacters (U+FFFF) or
/// unpaired surrogates, and untrusted text may hold either. Such text is kept as it is.
/// </summary>
internal static class SafeNormalize
{
    public static string Apply(string text, NormalizationForm form)
    {
        try
        {
            return text.Normalize(form);
        }
        catch (ArgumentException)
        {
            return text;
        }
    }

    public static bool IsNormalized(string text, NormalizationForm form)
    {
        try
        {
            return text.IsNormalized(form);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
