namespace Guardrail.Detection.Training;

/// <summary>
/// Texts with everyday prompts around them. The injection classifier averages its window's n-grams,
/// so an attack inside several hundred characters of everyday requests reads as benign: held-out
/// HackAPrompt and TensorTrust attacks padded with held-out everyday prompts were flagged by
/// injection 3.0.1 alone 36.7 -> 6.9 % and 61.3 -> 23.0 %. Training (<see cref="Generate"/>,
/// <c>train --padded-per-class</c>, 3,000 by default: injection 3.1.0) adds padded copies of short
/// training texts, an attack padded being a positive and a benign text padded the same way a
/// negative, so that length and paragraph breaks do not become the signal; the padding comes from
/// the training rows only. Evaluation (<see cref="Surround"/>, <c>guardrailctl eval --pad-with</c>)
/// pads every row of a held-out file with another held-out file's prompts.
/// </summary>
public static class PaddedTexts
{
    /// <summary>Padding: benign rows of 40–400 characters (requests, not documents).</summary>
    private const int MinPadChars = 40, MaxPadChars = 400;

    /// <summary>The prompts <paramref name="rows"/> can pad with.</summary>
    public static List<string> PaddingOf(IEnumerable<LabeledText> rows)
        => [.. rows.Where(r => r.Label == 0 && r.Text.Length is >= MinPadChars and <= MaxPadChars).Select(r => r.Text)];

    /// <summary><paramref name="perClass"/> padded attacks and as many padded benign texts, each a
    /// short row (at most half a window) with padding before, after or half on each side, filling a
    /// quarter to all of the rest of a window (each side's last prompt may run past it).</summary>
    internal static List<LabeledText> Generate(IReadOnlyList<LabeledText> rows, int perClass, int windowChars, Random random)
    {
        var output = new List<LabeledText>(2 * perClass);
        var padding = perClass > 0 ? PaddingOf(rows) : [];
        if (padding.Count == 0)
        {
            return output;
        }

        foreach (var label in new[] { 1, 0 })
        {
            var cores = rows.Where(r => r.Label == label && r.Text.Length <= windowChars / 2).ToList();
            for (var i = 0; i < perClass && cores.Count > 0; i++)
            {
                var core = cores[random.Next(cores.Count)];
                var room = windowChars - core.Text.Length;
                var chars = room / 4 + random.Next(3 * room / 4); // a quarter of the room to all of it
                output.Add(core with { Text = Around(core.Text, random.Next(3), chars, padding, random), Source = "padded/" + core.Source });
            }
        }

        return output;
    }

    /// <summary>Every row with at least <paramref name="chars"/> characters of padding: before it,
    /// after it and half on each side in turn (row by row), the same for the same seed.</summary>
    public static List<LabeledText> Surround(IReadOnlyList<LabeledText> rows, IReadOnlyList<string> padding, int chars, int seed = 1)
    {
        if (padding.Count == 0)
        {
            throw new InvalidDataException($"nothing to pad with: no benign rows of {MinPadChars} to {MaxPadChars} characters");
        }

        var random = new Random(seed);
        return [.. rows.Select((row, i) => row with { Text = Around(row.Text, i % 3, chars, padding, random) })];
    }

    /// <summary><paramref name="text"/> with <paramref name="chars"/> of padding before it (placement
    /// 0), after it (1) or half on each side (2), joined by blank lines.</summary>
    private static string Around(string text, int placement, int chars, IReadOnlyList<string> padding, Random random)
    {
        var (before, after) = placement switch
        {
            0 => (Pad(padding, random, chars), ""),
            1 => ("", Pad(padding, random, chars)),
            _ => (Pad(padding, random, chars / 2), Pad(padding, random, chars / 2)),
        };
        return string.Join("\n\n", new[] { before, text, after }.Where(t => t.Length > 0));
    }

    /// <summary>Whole padding prompts, joined by blank lines, until at least <paramref name="chars"/> long (none for 0).</summary>
    private static string Pad(IReadOnlyList<string> padding, Random random, int chars)
    {
        var parts = new List<string>();
        for (var length = 0; length < chars; length += parts[^1].Length + 2)
        {
            parts.Add(padding[random.Next(padding.Count)]);
        }

        return string.Join("\n\n", parts);
    }
}
