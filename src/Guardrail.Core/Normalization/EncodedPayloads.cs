namespace Guardrail.Core.Normalization;

/// <summary>How a payload was disguised; the names are what findings report as <c>hidden_as</c>.</summary>
public static class PayloadEncoding
{
    public const string Base64 = "base64";
    public const string Hex = "hex";
    public const string Url = "url";
    public const string Rot13 = "rot13";
    public const string Leetspeak = "leetspeak";
    public const string Split = "split";
}

/// <summary>A stretch of the text that decodes to other text. Start/End are UTF-16 indices in the
/// original text (end exclusive); <see cref="Decoded"/> is what the detectors scan again, and
/// <see cref="DecodedStart"/>..<see cref="DecodedEnd"/> the part of it the stretch became (the rest
/// is the plain text around it, carried so that a phrase disguised in part is read whole).</summary>
public sealed record EncodedPayload(string Encoding, int Start, int End, string Decoded, int DecodedStart, int DecodedEnd)
{
    /// <summary>A payload that is all decoded text.</summary>
    public EncodedPayload(string encoding, int start, int end, string decoded)
        : this(encoding, start, end, decoded, 0, decoded.Length)
    {
    }
}

/// <summary>
/// Finds the obvious encodings an attacker wraps an instruction in so that phrase rules and models
/// miss it: base64, hex (also <c>\x69</c> and space-separated pairs), URL percent-encoding, rot13,
/// leetspeak, and words split into letters or pieces ("i g n o r e", "ign-ore"). Nothing here is a
/// finding by itself (base64 and hex are everyday data): the decoded text is scanned again, and only
/// what the detectors find in it counts, marked hidden. Byte encodings must decode to UTF-8 text
/// that is mostly letters; letter disguises must turn words into common words that they were not.
/// One pass per encoding, linear in the text; at most <see cref="MaxPayloads"/> payloads a text.
/// </summary>
public static class EncodedPayloads
{
    /// <summary>Payloads kept per text (the rest are not decoded): each is scanned again.</summary>
    public const int MaxPayloads = 16;

    /// <summary>Longest encoded token decoded (characters); longer ones are left as they are.</summary>
    public const int MaxTokenChars = 65_536;

    public static IReadOnlyList<EncodedPayload> Find(string text)
    {
        if (text.Length < 8)
        {
            return [];
        }

        var found = new List<EncodedPayload>();
        ByteEncodings.FindBase64(text, found);
        ByteEncodings.FindHex(text, found);
        ByteEncodings.FindPercentEncoded(text, found);
        var words = Words.Of(text);
        if (words.Count >= 2)
        {
            LetterDisguises.FindRot13(text, words, found);
            LetterDisguises.FindLeetspeak(text, words, found);
            LetterDisguises.FindSplitWords(text, words, found);
        }

        if (found.Count > MaxPayloads)
        {
            found.RemoveRange(MaxPayloads, found.Count - MaxPayloads);
        }

        return found;
    }
}
