using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;

namespace Guardrail.Core.Detectors;

/// <summary>
/// Personal data: e-mail addresses, phone numbers, payment cards (brand prefix, length and Luhn),
/// IBANs (country length and mod-97), US social security numbers (with the SSA's never-issued
/// ranges excluded), other national identifiers by their check digits (<see cref="NationalIds"/>),
/// and person names and postal addresses (<see cref="NamesAndAddresses"/>).
/// Runs on the clean text, so zero-width characters cannot split a match. Phone numbers come last:
/// a number that is already an identifier is not also a phone number.
/// </summary>
public sealed partial class PiiDetector : ITextDetector
{
    private static readonly FrozenDictionary<string, int> IbanLengths = new Dictionary<string, int>
    {
        ["AD"] = 24, ["AE"] = 23, ["AT"] = 20, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22, ["BH"] = 22, ["BR"] = 29,
        ["CH"] = 21, ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22, ["DK"] = 18, ["EE"] = 20, ["ES"] = 24, ["FI"] = 18,
        ["FO"] = 18, ["FR"] = 27, ["GB"] = 22, ["GI"] = 23, ["GL"] = 18, ["GR"] = 27, ["HR"] = 21, ["HU"] = 28,
        ["IE"] = 22, ["IL"] = 23, ["IS"] = 26, ["IT"] = 27, ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28,
        ["LI"] = 21, ["LT"] = 20, ["LU"] = 20, ["LV"] = 21, ["MC"] = 27, ["MD"] = 24, ["ME"] = 22, ["MK"] = 19,
        ["MT"] = 31, ["MU"] = 30, ["NL"] = 18, ["NO"] = 15, ["PK"] = 24, ["PL"] = 28, ["PS"] = 29, ["PT"] = 25,
        ["QA"] = 29, ["RO"] = 24, ["RS"] = 22, ["SA"] = 24, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27,
        ["TN"] = 24, ["TR"] = 26, ["UA"] = 29, ["VA"] = 22, ["VG"] = 24, ["XK"] = 20,
    }.ToFrozenDictionary();

    public string Name => "pii";

    public string Category => DetectorCategory.Pii;

    public string Model => "guardrail-pii-rules";

    public string Version => "1.3.0";

    public bool ScansHiddenPayloads => true;

    public float Scan(NormalizedText text, in ScanContext context, List<Finding> findings)
    {
        var first = findings.Count;
        ScanInto(text, context, findings);
        return RuleScores.Max(findings, first);
    }

    private void ScanInto(NormalizedText text, in ScanContext context, List<Finding> findings)
    {
        var clean = text.Clean;
        var found = new CleanFindings(this, text, findings);
        if (clean.Contains('@'))
        {
            foreach (var m in Email().EnumerateMatches(clean))
            {
                found.Add("email", 0.9f, m.Index, m.Length);
            }
        }

        foreach (var m in Card().EnumerateMatches(clean))
        {
            var digits = Digits(clean.AsSpan(m.Index, m.Length));
            if (IsCardNumber(digits))
            {
                found.Add("payment-card", 0.95f, m.Index, m.Length);
            }
        }

        foreach (var m in Iban().EnumerateMatches(clean))
        {
            var compact = clean.Substring(m.Index, m.Length).Replace(" ", string.Empty, StringComparison.Ordinal);
            if (IbanLengths.TryGetValue(compact[..2], out var length) && compact.Length == length && Checksums.IbanMod97(compact))
            {
                found.Add("iban", 0.95f, m.Index, m.Length);
            }
        }

        foreach (var m in UsSsn().EnumerateMatches(clean))
        {
            found.Add("us-ssn", 0.85f, m.Index, m.Length);
        }

        NationalIds.FindInto(clean, found);
        NamesAndAddresses.FindInto(clean, found);

        foreach (var m in Phone().EnumerateMatches(clean))
        {
            var digitCount = Digits(clean.AsSpan(m.Index, m.Length)).Length;
            if (digitCount is >= 10 and <= 15)
            {
                found.AddUnlessOverlapping("phone", 0.8f, m.Index, m.Length);
            }
        }
    }

    /// <summary>Issuer prefix and length of the major card brands, then Luhn.</summary>
    internal static bool IsCardNumber(string digits)
    {
        var n = digits.Length;
        if (n is < 13 or > 19 || !Checksums.Luhn(digits))
        {
            return false;
        }

        var two = int.Parse(digits.AsSpan(0, 2), System.Globalization.CultureInfo.InvariantCulture);
        var four = int.Parse(digits.AsSpan(0, 4), System.Globalization.CultureInfo.InvariantCulture);
        return digits[0] == '4' && n is 13 or 16 or 19                        // Visa
            || (two is >= 51 and <= 55 || four is >= 2221 and <= 2720) && n == 16 // Mastercard
            || two is 34 or 37 && n == 15                                         // American Express
            || (four == 6011 || two == 65 || four is >= 6440 and <= 6499) && n is 16 or 19 // Discover
            || four is >= 3528 and <= 3589 && n is >= 16 and <= 19                // JCB
            || (two is 36 or 38 || four is >= 3000 and <= 3059) && n is 14 or 16  // Diners Club
            || two == 62 && n is >= 16 and <= 19;                                 // UnionPay
    }

    /// <summary>The ASCII digits of <paramref name="value"/>, separators dropped.</summary>
    internal static string Digits(ReadOnlySpan<char> value)
    {
        Span<char> buffer = stackalloc char[value.Length];
        var n = 0;
        foreach (var c in value)
        {
            if (c is >= '0' and <= '9')
            {
                buffer[n++] = c;
            }
        }

        return new string(buffer[..n]);
    }

    [GeneratedRegex(@"(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    [GeneratedRegex(@"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])", RegexOptions.CultureInvariant)]
    private static partial Regex Card();

    [GeneratedRegex(@"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Iban();

    [GeneratedRegex(@"(?<![\d-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\d-])", RegexOptions.CultureInvariant)]
    private static partial Regex UsSsn();

    [GeneratedRegex(@"(?<![\w+.-])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}|\(?[2-9]\d{2}\)?[ .-]?[2-9]\d{2}[ .-]\d{4})(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex Phone();
}
