namespace Guardrail.Core.Normalization;

public enum HiddenKind
{
    /// <summary>Unicode tag characters (U+E0000-E007F) outside a flag emoji: an invisible ASCII copy.</summary>
    TagCharacters,

    /// <summary>Two or more variation selectors in a row: bytes hidden behind a visible character.</summary>
    VariationSelectors,

    /// <summary>Three or more zero-width characters in a row: bits hidden in invisible characters.</summary>
    ZeroWidthRun,

    /// <summary>A zero-width character inside a Latin word: splits keywords so rules miss them.</summary>
    ZeroWidthInWord,

    /// <summary>Bidi overrides (U+202D, U+202E): text shown in a different order than it is read.</summary>
    BidiOverride,

    /// <summary>Bidi embeddings and isolates: normal in right-to-left text, suspicious around code.</summary>
    BidiEmbedding,

    /// <summary>A word mixing Latin letters with look-alike letters of another script (homoglyphs).</summary>
    MixedScriptWord,
}

/// <summary>Evidence of hidden or disguised characters. Start/End are UTF-16 indices in the
/// original text; <see cref="Payload"/> is what the characters decode to, when they decode.</summary>
public sealed record HiddenRun(HiddenKind Kind, int Start, int End, string? Payload);

/// <summary>
/// A text in three forms: <see cref="Original"/> as sent; <see cref="Clean"/> with invisible and
/// smuggling characters removed and NFKC applied (case kept; for PII and secrets);
/// <see cref="Skeleton"/>, the clean text lower-cased, without combining marks and with look-alike
/// letters mapped to Latin (for phrase rules). Offsets in either map back to the original.
/// </summary>
public sealed class NormalizedText
{
    private readonly int[]? _cleanMap;
    private readonly int[]? _skeletonMap;

    internal NormalizedText(string original, string clean, int[]? cleanMap, string skeleton, int[]? skeletonMap, IReadOnlyList<HiddenRun> hidden, bool hiddenTruncated)
    {
        Original = original;
        Clean = clean;
        _cleanMap = cleanMap;
        Skeleton = skeleton;
        _skeletonMap = skeletonMap;
        Hidden = hidden;
        HiddenTruncated = hiddenTruncated;
    }

    public string Original { get; }

    public string Clean { get; }

    public string Skeleton { get; }

    public IReadOnlyList<HiddenRun> Hidden { get; }

    /// <summary>True when more hidden runs were seen than are kept (see TextNormalizer.MaxHiddenRuns).</summary>
    public bool HiddenTruncated { get; }

    public (int Start, int End) CleanToOriginal(int start, int end) => Map(_cleanMap, start, end);

    public (int Start, int End) SkeletonToOriginal(int start, int end) => Map(_skeletonMap, start, end);

    private (int Start, int End) Map(int[]? map, int start, int end)
    {
        if (map is null)
        {
            return (start, end);
        }

        if (end <= start)
        {
            var at = start < map.Length ? map[start] : Original.Length;
            return (at, at);
        }

        var last = map[end - 1];
        var lastEnd = last + (char.IsHighSurrogate(Original[last]) && last + 1 < Original.Length ? 2 : 1);
        return (map[start], lastEnd);
    }
}
