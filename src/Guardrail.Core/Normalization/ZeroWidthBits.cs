using System.Text;

namespace Guardrail.Core.Normalization;

/// <summary>
/// Decodes the usual ways of hiding text in zero-width characters: two symbols as the bits of 8-bit
/// bytes (either assignment), or two bit symbols plus a third as the separator between characters.
/// Returns null when no reading gives printable text.
/// </summary>
internal static class ZeroWidthBits
{
    private const int MaxDecodedRun = 64 * 1024;

    public static string? Decode(List<int> cps)
    {
        if (cps.Count < 8 || cps.Count > MaxDecodedRun)
        {
            return null;
        }

        var symbols = cps.Distinct().ToArray();
        if (symbols.Length == 2)
        {
            return FixedWidth(cps, symbols[0], symbols[1]) ?? FixedWidth(cps, symbols[1], symbols[0]);
        }

        if (symbols.Length == 3)
        {
            foreach (var separator in symbols)
            {
                var bits = symbols.Where(s => s != separator).ToArray();
                var decoded = Separated(cps, separator, bits[0], bits[1]) ?? Separated(cps, separator, bits[1], bits[0]);
                if (decoded is not null)
                {
                    return decoded;
                }
            }
        }

        return null;
    }

    private static string? FixedWidth(List<int> cps, int zero, int one)
    {
        if (cps.Count % 8 != 0)
        {
            return null;
        }

        var bytes = new byte[cps.Count / 8];
        for (var i = 0; i < cps.Count; i++)
        {
            bytes[i / 8] = (byte)((bytes[i / 8] << 1) | (cps[i] == one ? 1 : 0));
        }

        return Printable(bytes);
    }

    private static string? Separated(List<int> cps, int separator, int zero, int one)
    {
        var builder = new StringBuilder();
        var value = 0;
        var bits = 0;
        foreach (var cp in cps.Append(separator))
        {
            if (cp == separator)
            {
                if (bits is 0 or > 21)
                {
                    return null;
                }

                builder.Append((char)value);
                value = bits = 0;
                continue;
            }

            value = (value << 1) | (cp == one ? 1 : 0);
            bits++;
        }

        return IsPrintable(builder.ToString()) ? builder.ToString() : null;
    }

    private static string? Printable(byte[] bytes)
    {
        try
        {
            var text = new UTF8Encoding(false, true).GetString(bytes);
            return IsPrintable(text) ? text : null;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool IsPrintable(string text)
        => text.Length > 0 && text.All(c => c is '\n' or '\t' or '\r' || !char.IsControl(c));
}
