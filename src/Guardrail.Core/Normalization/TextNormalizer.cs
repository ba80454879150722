using System.Text;

namespace Guardrail.Core.Normalization;

/// <summary>
/// Turns a text into a <see cref="NormalizedText"/> in one pass over its code points: strips and
/// records invisible characters, decodes what they hide (tag characters, variation-selector bytes,
/// zero-width bit strings), applies NFKC, and builds the look-alike-folded skeleton. Legitimate
/// invisibles (ZWJ inside emoji sequences, ZWNJ/ZWJ in Arabic-script and Indic text, a leading BOM,
/// single variation selectors, flag-emoji tag sequences, LRM/RLM) are removed without being reported.
/// </summary>
public static class TextNormalizer
{
    /// <summary>Hidden runs kept per text; more are counted as truncated, not listed.</summary>
    public const int MaxHiddenRuns = 64;

    public static NormalizedText Normalize(string text)
    {
        if (System.Text.Ascii.IsValid(text))
        {
            return new NormalizedText(text, text, null, text.ToLowerInvariant(), null, [], false);
        }

        var state = new Builder(text);
        state.Run();
        return state.Finish();
    }

    private sealed class Builder(string text)
    {
        private readonly StringBuilder _clean = new(text.Length);
        // Scratch, per thread: the map is copied out only where it is not the identity.
        [ThreadStatic]
        private static List<int>? t_cleanMap;

        private readonly List<int> _cleanMap = Scratch(ref t_cleanMap, text.Length);
        private readonly List<HiddenRun> _hidden = [];
        private readonly bool _alreadyNfkc = SafeNormalize.IsNormalized(text, NormalizationForm.FormKC);
        private bool _truncated;
        private bool _recomposed; // NFKC changed a character (full-width letters, ligatures)
        private int _lastVisible; // code point of the last visible rune, 0 at the start

        public void Run()
        {
            var i = 0;
            while (i < text.Length)
            {
                var cp = CodePointAt(i, out var width);
                if (UnicodeClasses.IsTag(cp))
                {
                    i = TagRun(i);
                }
                else if (UnicodeClasses.IsVariationSelector(cp))
                {
                    i = VariationSelectorRun(i);
                }
                else if (UnicodeClasses.IsZeroWidth(cp))
                {
                    i = ZeroWidthRun(i);
                }
                else if (UnicodeClasses.IsBidiControl(cp))
                {
                    i = BidiRun(i);
                }
                else if (UnicodeClasses.IsDirectionMark(cp))
                {
                    i += width;
                }
                else
                {
                    AppendVisible(i, width, cp);
                    i += width;
                }
            }
        }

        public NormalizedText Finish()
        {
            var cleanMap = _cleanMap;
            var identity = !_recomposed && IsIdentity(cleanMap, text);
            var clean = identity ? text : _clean.ToString();
            var skeleton = new StringBuilder(clean.Length);
            var dropped = false;
            int wordStart = -1, wordEnd = 0;
            bool wordHasLatin = false, wordHasLookAlike = false, wordHasOtherLetter = false;
            for (var j = 0; j < clean.Length; j++)
            {
                var c = clean[j];
                var folded = SkeletonFold.Fold(c);
                if (folded == '\0')
                {
                    dropped = true;
                    continue; // a combining mark
                }

                if (char.IsLetter(c))
                {
                    if (wordStart < 0)
                    {
                        wordStart = cleanMap[j];
                        wordHasLatin = wordHasLookAlike = wordHasOtherLetter = false;
                    }

                    // Only letters of other scripts count as look-alikes: "café" is not mixed script,
                    // nor is Turkish "kalıcı" (its dotless ı is a Latin letter, folded to i all the same).
                    // A word disguised as English uses only look-alikes of Latin letters; one that also
                    // holds letters imitating none ("флагSJIS" in code, "\nВыберите" after an escape)
                    // is two languages side by side.
                    wordHasLatin |= UnicodeClasses.IsAsciiLetter(c);
                    if (c >= 0x80 && !UnicodeClasses.IsLatinLetter(c))
                    {
                        var imitates = Confusables.LatinFor(char.ToLowerInvariant(c)) != '\0';
                        wordHasLookAlike |= imitates;
                        wordHasOtherLetter |= !imitates;
                    }
                    wordEnd = cleanMap[j] + 1;
                }
                else if (wordStart >= 0)
                {
                    EndWord(wordStart, wordEnd, wordHasLatin && wordHasLookAlike && !wordHasOtherLetter);
                    wordStart = -1;
                }

                skeleton.Append(folded);
            }

            if (wordStart >= 0)
            {
                EndWord(wordStart, wordEnd, wordHasLatin && wordHasLookAlike && !wordHasOtherLetter);
            }

            _hidden.Sort((a, b) => a.Start.CompareTo(b.Start));
            // Most non-ASCII text (curly quotes, Cyrillic, CJK) has nothing removed or recomposed, so
            // its clean text is the original and its skeleton keeps every character: a null map is
            // the identity, and the skeleton shares the clean text's map. Copying both every time
            // cost 16 KB per 1,000-character text.
            var cleanArray = identity ? null : cleanMap.ToArray();
            var skeletonArray = dropped ? KeptMap(clean, cleanMap) : cleanArray;
            return new NormalizedText(text, clean, cleanArray, skeleton.ToString(), skeletonArray, _hidden, _truncated);
        }

        /// <summary>True when every clean character comes from the original one at the same index
        /// (with nothing recomposed, it is that character). A text with
        /// surrogates never is: a pair's two units both map to its first, which spans rely on.</summary>
        private static bool IsIdentity(List<int> map, string text)
        {
            if (map.Count != text.Length)
            {
                return false;
            }

            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(map);
            for (var i = 0; i < span.Length; i++)
            {
                if (span[i] != i || char.IsSurrogate(text[i]))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The skeleton's map where it dropped combining marks (rare): the clean map of the
        /// characters it kept.</summary>
        private static int[] KeptMap(string clean, List<int> cleanMap)
        {
            var kept = new List<int>(clean.Length);
            for (var j = 0; j < clean.Length; j++)
            {
                if (SkeletonFold.Fold(clean[j]) != '\0')
                {
                    kept.Add(cleanMap[j]);
                }
            }

            return [.. kept];
        }

        private static List<int> Scratch(ref List<int>? cached, int capacity)
        {
            // A huge text gets its own list, so no thread keeps megabytes of scratch alive.
            if (capacity > 1 << 16)
            {
                return new List<int>(capacity);
            }

            var list = cached ??= new List<int>(capacity);
            list.Clear();
            list.EnsureCapacity(capacity);
            return list;
        }

        private void EndWord(int start, int end, bool mixed)
        {
            if (mixed)
            {
                AddHidden(HiddenKind.MixedScriptWord, start, end, null);
            }
        }

        private void AppendVisible(int index, int width, int cp)
        {
            _lastVisible = cp;
            if (cp < 0x80 || _alreadyNfkc)
            {
                for (var k = 0; k < width; k++)
                {
                    _clean.Append(text[index + k]);
                    _cleanMap.Add(index);
                }

                return;
            }

            var original = text.Substring(index, width);
            var normalized = SafeNormalize.Apply(original, NormalizationForm.FormKC);
            _recomposed |= !string.Equals(original, normalized, StringComparison.Ordinal);
            foreach (var c in normalized)
            {
                _clean.Append(c);
                _cleanMap.Add(index);
            }
        }

        private int TagRun(int start)
        {
            var (end, cps) = Collect(start, UnicodeClasses.IsTag);
            var isFlagEmoji = UnicodeClasses.IsBlackFlag(_lastVisible) && cps.Count is >= 3 and <= 8 && cps[^1] == 0xE007F
                && cps.Take(cps.Count - 1).All(cp => cp is (>= 0xE0061 and <= 0xE007A) or (>= 0xE0030 and <= 0xE0039));
            if (!isFlagEmoji)
            {
                var payload = new StringBuilder(cps.Count);
                foreach (var cp in cps)
                {
                    if (cp is >= 0xE0020 and <= 0xE007E)
                    {
                        payload.Append((char)(cp - 0xE0000));
                    }
                }

                AddHidden(HiddenKind.TagCharacters, start, end, payload.Length > 0 ? payload.ToString() : null);
            }

            return end;
        }

        private int VariationSelectorRun(int start)
        {
            var (end, cps) = Collect(start, UnicodeClasses.IsVariationSelector);
            if (cps.Count >= 2)
            {
                var bytes = cps.Select(cp => (byte)(cp <= 0xFE0F ? cp - 0xFE00 : cp - 0xE0100 + 16)).ToArray();
                AddHidden(HiddenKind.VariationSelectors, start, end, Encoding.UTF8.GetString(bytes));
            }

            return end;
        }

        private int ZeroWidthRun(int start)
        {
            var (end, cps) = Collect(start, UnicodeClasses.IsZeroWidth);
            var next = end < text.Length ? CodePointAt(end, out _) : 0;
            if (cps.Count >= 3)
            {
                AddHidden(HiddenKind.ZeroWidthRun, start, end, ZeroWidthBits.Decode(cps));
            }
            else if (!IsLegitimateJoiner(cps, start, next)
                && UnicodeClasses.IsAsciiLetter(_lastVisible) && UnicodeClasses.IsAsciiLetter(next))
            {
                AddHidden(HiddenKind.ZeroWidthInWord, start, end, null);
            }

            return end;
        }

        private bool IsLegitimateJoiner(List<int> cps, int start, int next)
        {
            if (cps.Count != 1)
            {
                return false;
            }

            return cps[0] switch
            {
                0x200D when UnicodeClasses.IsEmojiPart(_lastVisible) && UnicodeClasses.IsEmojiPart(next) => true,
                0x200C or 0x200D when UnicodeClasses.IsJoiningScript(_lastVisible) || UnicodeClasses.IsJoiningScript(next) => true,
                0xFEFF when start == 0 => true,
                0x00AD => true, // soft hyphen: a hyphenation hint; removing it already defeats word splitting
                _ => false,
            };
        }

        private int BidiRun(int start)
        {
            var (end, cps) = Collect(start, UnicodeClasses.IsBidiControl);
            if (cps.TrueForAll(cp => cp is 0x202C or 0x2069))
            {
                return end; // closers (PDF, PDI) alone change nothing; the opener was reported
            }

            var kind = cps.Exists(UnicodeClasses.IsBidiOverride) ? HiddenKind.BidiOverride : HiddenKind.BidiEmbedding;
            AddHidden(kind, start, end, null);
            return end;
        }

        private (int End, List<int> CodePoints) Collect(int start, Func<int, bool> belongs)
        {
            var cps = new List<int>();
            var i = start;
            while (i < text.Length)
            {
                var cp = CodePointAt(i, out var width);
                if (!belongs(cp))
                {
                    break;
                }

                cps.Add(cp);
                i += width;
            }

            return (i, cps);
        }

        private void AddHidden(HiddenKind kind, int start, int end, string? payload)
        {
            if (_hidden.Count >= MaxHiddenRuns)
            {
                _truncated = true;
                return;
            }

            _hidden.Add(new HiddenRun(kind, start, end, payload));
        }

        private int CodePointAt(int index, out int width)
        {
            var c = text[index];
            if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
            {
                width = 2;
                return char.ConvertToUtf32(c, text[index + 1]);
            }

            width = 1;
            return c;
        }
    }
}
