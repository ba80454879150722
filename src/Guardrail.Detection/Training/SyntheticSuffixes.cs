using System.Text;

namespace Guardrail.Detection.Training;

/// <summary>
/// Suffixes in the style of GCG's optimised token soup, for training only: GCG picks 15-30 tokens
/// from a language model's vocabulary, so the pieces here are what such a vocabulary holds, taken
/// from the benign training text itself: word fragments ("ependant", "RIPT"), whole words in odd
/// case, glued identifiers ("compressToString") and punctuation clusters ("](", "\\{"), joined with
/// and without spaces. Built from the data, not a fixed list, so the detector learns the rhythm of
/// token soup rather than a few tokens.
/// </summary>
internal static class SyntheticSuffixes
{
    private static readonly string[] Punctuation =
    [
        "!", "?", ".", ",", ";", ":", "(", ")", "[", "]", "{", "}", "<", ">", "/", "\\", "|", "@", "#", "$", "%", "^", "&",
        "*", "-", "_", "=", "+", "~", "`", "\"", "'", "](", "({", "})", "->", "=>", "::", "--", "**", "\\{", "}}", "{{",
        "![", "$\\", "<%", "%>", "\"]", "\";", ".]", "])", "**ONE", "\\!", "'\\",
    ];

    public static List<string> Generate(IReadOnlyList<string> benignTexts, int count, Random random)
    {
        var words = new List<string>();
        foreach (var text in benignTexts)
        {
            foreach (var part in text.Split([' ', '\n', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries))
            {
                var word = new string([.. part.Where(char.IsAsciiLetter)]);
                if (word.Length >= 2)
                {
                    words.Add(word);
                }
            }

            if (words.Count > 200_000)
            {
                break;
            }
        }

        var suffixes = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            // Each suffix has its own mix: some are mostly punctuation, some mostly words (a run
            // that converged on word-like tokens), spaced densely or hardly at all.
            var builder = new StringBuilder();
            var tokens = random.Next(12, 31);
            var punctuation = 0.1 + (0.4 * random.NextDouble());
            var spacing = 0.3 + (0.6 * random.NextDouble());
            for (var t = 0; t < tokens; t++)
            {
                if (builder.Length > 0 && random.NextDouble() < spacing)
                {
                    builder.Append(' ');
                }

                var kind = random.NextDouble();
                if (kind < punctuation)
                {
                    var mark = Punctuation[random.Next(Punctuation.Length)];
                    builder.Append(random.NextDouble() < 0.85 ? mark : string.Concat(Enumerable.Repeat(mark, random.Next(2, 5))));
                }
                else if (kind < punctuation + 0.1)
                {
                    var a = words[random.Next(words.Count)];
                    var b = words[random.Next(words.Count)];
                    builder.Append(a).Append(char.ToUpperInvariant(b[0])).Append(b.AsSpan(1)); // a glued identifier
                }
                else
                {
                    builder.Append(Fragment(words[random.Next(words.Count)], random));
                }
            }

            suffixes.Add(builder.ToString());
        }

        return suffixes;
    }

    private static string Fragment(string word, Random random)
    {
        if (word.Length > 4 && random.NextDouble() < 0.6)
        {
            var start = random.Next(0, word.Length - 2);
            word = word[start..random.Next(start + 2, word.Length + 1)];
        }

        var casing = random.NextDouble();
        return casing < 0.15 ? char.ToUpperInvariant(word[0]) + word[1..].ToLowerInvariant()
            : casing < 0.2 ? word.ToUpperInvariant()
            : word;
    }
}
