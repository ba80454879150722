using Microsoft.ML.Tokenizers;

namespace Guardrail.Detection.Encoder;

/// <summary>
/// The encoder's WordPiece tokenizer (Microsoft.ML.Tokenizers' BertTokenizer over the package's
/// vocabulary, lower-cased and accents stripped as the uncased model was trained). Training exports
/// its ids for the PyTorch fine-tuning script and serving calls it again: one tokenizer for both.
/// </summary>
public sealed class EncoderTokenizer
{
    private readonly BertTokenizer _bert;

    public EncoderTokenizer(byte[] vocabulary)
    {
        using var stream = new MemoryStream(vocabulary, writable: false);
        _bert = BertTokenizer.Create(stream, new BertOptions { LowerCaseBeforeTokenization = true, RemoveNonSpacingMarks = true });
    }

    public int PaddingId => _bert.PaddingTokenId;

    /// <summary>[CLS] text [SEP], cut to at most <paramref name="maxTokens"/> ids (both marks included).</summary>
    public IReadOnlyList<int> Ids(string text, int maxTokens)
        => _bert.EncodeToIds(WithoutLoneSurrogates(text), maxTokens, addSpecialTokens: true, out _, out _);

    /// <summary>The tokenizer's Unicode normalisation throws on a lone surrogate, which a window cut
    /// through a surrogate pair leaves at its edge: such halves become U+FFFD.</summary>
    internal static string WithoutLoneSurrogates(string text)
    {
        char[]? fixedText = null;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                fixedText ??= text.ToCharArray();
                fixedText[i] = '\uFFFD';
            }
        }

        return fixedText is null ? text : new string(fixedText);
    }
}
