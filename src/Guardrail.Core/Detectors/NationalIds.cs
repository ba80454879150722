using System.Text.RegularExpressions;

namespace Guardrail.Core.Detectors;

/// <summary>
/// National identifiers with check digits or a strict structure, for <see cref="PiiDetector"/>:
/// UK NHS numbers (mod 11), UK National Insurance numbers (the prefixes HMRC never issues
/// excluded), Canadian social insurance numbers (Luhn), Spanish DNI and NIE (mod-23 letter),
/// French NIR (mod-97 key) and Indian Aadhaar numbers (Verhoeff). Where the written form alone
/// would match ordinary numbers too often (an unseparated NHS, SIN or Aadhaar number passes its
/// check by chance one time in 10 or 11), the identifier's name must come shortly before it.
/// </summary>
internal static partial class NationalIds
{
    /// <summary>How far before a match (characters) the identifier's name is looked for.</summary>
    private const int ContextChars = 40;

    public static void FindInto(string clean, CleanFindings found)
    {
        foreach (Match m in Nhs().Matches(clean))
        {
            var separated = m.Groups["sep"].Success;
            if (Checksums.NhsMod11(PiiDetector.Digits(m.ValueSpan)) && (separated || Near(clean, m.Index, "nhs")))
            {
                found.Add("uk-nhs-number", 0.85f, m.Index, m.Length);
            }
        }

        foreach (Match m in Nino().Matches(clean))
        {
            found.Add("uk-nino", 0.85f, m.Index, m.Length);
        }

        foreach (Match m in Sin().Matches(clean))
        {
            var digits = PiiDetector.Digits(m.ValueSpan);
            if (digits[0] is not ('0' or '8') && Checksums.Luhn(digits) && (m.Groups["sep"].Success || Near(clean, m.Index, "sin", "social insurance")))
            {
                found.Add("ca-sin", 0.85f, m.Index, m.Length);
            }
        }

        foreach (Match m in DniOrNie().Matches(clean))
        {
            var prefix = m.Groups["nie"].Success ? "XYZ".IndexOf(m.Groups["nie"].ValueSpan[0], StringComparison.Ordinal).ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty;
            if (Checksums.SpanishIdLetter(prefix + m.Groups["number"].Value) == m.Groups["letter"].ValueSpan[0])
            {
                found.Add(prefix.Length > 0 ? "es-nie" : "es-dni", 0.85f, m.Index, m.Length);
            }
        }

        foreach (Match m in Nir().Matches(clean))
        {
            var compact = m.Value.Replace(" ", string.Empty, StringComparison.Ordinal);
            if (Checksums.NirKey(compact.AsSpan(0, 13), int.Parse(compact.AsSpan(13), System.Globalization.CultureInfo.InvariantCulture)))
            {
                found.Add("fr-nir", 0.85f, m.Index, m.Length);
            }
        }

        foreach (Match m in Aadhaar().Matches(clean))
        {
            if (Checksums.Verhoeff(PiiDetector.Digits(m.ValueSpan)) && (m.Groups["sep"].Success || Near(clean, m.Index, "aadhaar", "uidai")))
            {
                found.Add("in-aadhaar", 0.85f, m.Index, m.Length);
            }
        }
    }

    private static bool Near(string text, int index, params ReadOnlySpan<string> names)
    {
        var before = text.AsSpan(Math.Max(0, index - ContextChars), Math.Min(index, ContextChars));
        foreach (var name in names)
        {
            var at = before.IndexOf(name, StringComparison.OrdinalIgnoreCase);
            // A whole word: "sin" in "since" or "using" is not the name.
            while (at >= 0)
            {
                var end = at + name.Length;
                if ((at == 0 || !char.IsLetter(before[at - 1])) && (end == before.Length || !char.IsLetter(before[end])))
                {
                    return true;
                }

                var next = before[(at + 1)..].IndexOf(name, StringComparison.OrdinalIgnoreCase);
                at = next < 0 ? -1 : at + 1 + next;
            }
        }

        return false;
    }

    // 943 476 5919 (the NHS's own 3-3-4 grouping, spaces or hyphens) or 9434765919.
    [GeneratedRegex(@"(?<![\d-])\d{3}(?:(?<sep>[ -])\d{3}\k<sep>|\d{3})\d{4}(?![\d-])", RegexOptions.CultureInvariant)]
    private static partial Regex Nhs();

    // Two prefix letters (not D, F, I, Q, U, V; the second not O; not BG GB KN NK NT TN ZZ), six digits, A-D.
    [GeneratedRegex(@"(?<![A-Za-z0-9])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Nino();

    [GeneratedRegex(@"(?<![\d-])\d{3}(?:(?<sep>[ -])\d{3}\k<sep>|\d{3})\d{3}(?![\d-])", RegexOptions.CultureInvariant)]
    private static partial Regex Sin();

    // DNI 12345678Z, NIE X1234567L (either with a hyphen before the letter).
    [GeneratedRegex(@"(?<![A-Za-z0-9])(?:(?<nie>[XYZ])-?(?<number>\d{7})|(?<number>\d{8}))-?(?<letter>[A-Z])(?![A-Za-z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex DniOrNie();

    // Sex, year, month, department (2A and 2B are Corsica's, read as 19 and 18), commune, order, key.
    [GeneratedRegex(@"(?<![\dA-Za-z])[1-478] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}(?![\dA-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex Nir();

    [GeneratedRegex(@"(?<![\d-])[2-9]\d{3}(?:(?<sep>[ -])\d{4}\k<sep>|\d{4})\d{4}(?![\d-])", RegexOptions.CultureInvariant)]
    private static partial Regex Aadhaar();
}
