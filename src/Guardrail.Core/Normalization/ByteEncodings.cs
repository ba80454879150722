using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Guardrail.Core.Normalization;

/// <summary>Base64, hex and percent-encoded runs that decode to readable text.</summary>
internal static class ByteEncodings
{
    private const int MinBase64Chars = 16;
    private const int MinHexBytes = 8;
    private const int MinPercentEscapes = 3;

    private static readonly SearchValues<char> Base64Chars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_");

    // Hex that decodes to text starts with a digit (the high nibble of an ASCII byte, or 0x) or
    // with the backslash of \x: runs are only tried from these.
    private static readonly SearchValues<char> HexStarts = SearchValues.Create("0123456789\\");

    /// <summary>Maximal runs of the base64 alphabet (standard and URL-safe, '=' padding), at least
    /// 16 characters, with mixed case or a digit (plain long words are not base64).</summary>
    public static void FindBase64(string text, List<EncodedPayload> found)
    {
        var i = 0;
        while (i < text.Length)
        {
            var skip = text.AsSpan(i).IndexOfAny(Base64Chars);
            if (skip < 0)
            {
                return;
            }

            var start = i + skip;
            var length = text.AsSpan(start).IndexOfAnyExcept(Base64Chars);
            length = length < 0 ? text.Length - start : length;
            i = start + length;
            while (i < text.Length && i - (start + length) < 2 && text[i] == '=')
            {
                i++;
            }

            if (length >= MinBase64Chars && length <= EncodedPayloads.MaxTokenChars && LooksEncoded(text.AsSpan(start, length))
                && DecodeBase64(text.AsSpan(start, length)) is { } decoded)
            {
                found.Add(new EncodedPayload(PayloadEncoding.Base64, start, i, decoded));
            }
        }
    }

    /// <summary>Mixed case or a digit: a plain long word is not base64.</summary>
    private static bool LooksEncoded(ReadOnlySpan<char> token)
        => token.ContainsAnyInRange('0', '9') || (token.ContainsAnyInRange('A', 'Z') && token.ContainsAnyInRange('a', 'z'));

    /// <summary>Eight or more hex byte pairs: contiguous ("69676e6f7265"), escaped ("\x69\x67"),
    /// 0x-prefixed, or separated by one space, colon, comma or hyphen ("69 67 6e").</summary>
    public static void FindHex(string text, List<EncodedPayload> found)
    {
        var i = 0;
        var bytes = new List<byte>();
        while (i < text.Length)
        {
            var skip = text.AsSpan(i).IndexOfAny(HexStarts);
            if (skip < 0)
            {
                return;
            }

            i += skip;
            if (i > 0 && char.IsLetterOrDigit(text[i - 1]))
            {
                i++;
                continue;
            }

            var start = i;
            var end = ReadHexPairs(text, i, bytes);
            if (bytes.Count >= MinHexBytes && end - start <= EncodedPayloads.MaxTokenChars && AsText(bytes.ToArray()) is { } decoded)
            {
                found.Add(new EncodedPayload(PayloadEncoding.Hex, start, end, decoded));
                i = end;
            }
            else
            {
                i++;
            }
        }
    }

    /// <summary>A whitespace-free token with three or more %XX escapes ('+' read as a space, as in
    /// query strings).</summary>
    public static void FindPercentEncoded(string text, List<EncodedPayload> found)
    {
        if (!text.Contains('%'))
        {
            return;
        }

        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            var escapes = 0;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                if (text[i] == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
                {
                    escapes++;
                }

                i++;
            }

            if (escapes >= MinPercentEscapes && i - start <= EncodedPayloads.MaxTokenChars)
            {
                var decoded = Uri.UnescapeDataString(text[start..i].Replace('+', ' '));
                if (decoded.Any(char.IsLetter))
                {
                    found.Add(new EncodedPayload(PayloadEncoding.Url, start, i, decoded));
                }
            }
        }
    }

    /// <summary>Reads hex pairs from <paramref name="i"/> into <paramref name="bytes"/> (cleared
    /// first) and returns where they end.</summary>
    private static int ReadHexPairs(string text, int i, List<byte> bytes)
    {
        bytes.Clear();
        var end = i;
        while (true)
        {
            var j = i;
            if (j + 1 < text.Length && text[j] is '\\' or '0' && text[j + 1] is 'x' or 'X')
            {
                j += 2;
            }

            if (j + 1 >= text.Length || !char.IsAsciiHexDigit(text[j]) || !char.IsAsciiHexDigit(text[j + 1]))
            {
                return end;
            }

            bytes.Add((byte)((HexValue(text[j]) << 4) | HexValue(text[j + 1])));
            end = i = j + 2;
            if (i < text.Length && text[i] is ' ' or ':' or ',' or '-' && i + 1 < text.Length && (char.IsAsciiHexDigit(text[i + 1]) || text[i + 1] == '\\'))
            {
                i++; // one separator between pairs
            }
        }
    }

    private static string? DecodeBase64(ReadOnlySpan<char> token)
    {
        var padded = token.Length % 4 == 1 ? token.Length - 1 : token.Length;
        var length = (padded + 3) / 4 * 4;
        var chars = ArrayPool<char>.Shared.Rent(length);
        var bytes = ArrayPool<byte>.Shared.Rent(length / 4 * 3);
        try
        {
            for (var k = 0; k < length; k++)
            {
                chars[k] = k >= padded ? '=' : token[k] switch { '-' => '+', '_' => '/', var c => c };
            }

            return Convert.TryFromBase64Chars(chars.AsSpan(0, length), bytes, out var written) ? AsText(bytes.AsSpan(0, written)) : null;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>The bytes as text when they are valid UTF-8 without control characters (tabs and
    /// line breaks aside) and at least half letters: binary data and hashes are not text.</summary>
    internal static string? AsText(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 4 || !Utf8.IsValid(bytes))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(bytes);
        var letters = 0;
        foreach (var c in text)
        {
            if (char.IsLetter(c))
            {
                letters++;
            }
            else if (char.IsControl(c) && c is not '\n' and not '\r' and not '\t')
            {
                return null;
            }
        }

        return letters * 2 >= text.Length ? text : null;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
