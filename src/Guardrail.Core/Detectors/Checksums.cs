namespace Guardrail.Core.Detectors;

/// <summary>Check digits that separate real identifiers from numbers that only look like them.</summary>
internal static class Checksums
{
    /// <summary>The Luhn (mod 10) check of payment card numbers, over the digits of <paramref name="digits"/>.</summary>
    public static bool Luhn(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubleIt = !doubleIt;
        }

        return sum % 10 == 0;
    }

    /// <summary>ISO 13616 IBAN check: move the first four characters to the end, letters to 10..35,
    /// and the number mod 97 must be 1. <paramref name="iban"/> holds no spaces.</summary>
    public static bool IbanMod97(ReadOnlySpan<char> iban)
    {
        var remainder = 0;
        for (var k = 0; k < iban.Length; k++)
        {
            var c = iban[(k + 4) % iban.Length];
            if (c is >= '0' and <= '9')
            {
                remainder = ((remainder * 10) + (c - '0')) % 97;
            }
            else if (c is >= 'A' and <= 'Z')
            {
                remainder = ((remainder * 100) + (c - 'A' + 10)) % 97;
            }
            else
            {
                return false;
            }
        }

        return remainder == 1;
    }

    /// <summary>The NHS number check: weights 10..2 on the first nine digits, 11 minus the sum mod 11
    /// is the tenth (11 reads as 0; 10 means no number has these nine digits).</summary>
    public static bool NhsMod11(ReadOnlySpan<char> digits)
    {
        if (digits.Length != 10)
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < 9; i++)
        {
            sum += (digits[i] - '0') * (10 - i);
        }

        var check = 11 - (sum % 11);
        return check != 10 && (check == 11 ? 0 : check) == digits[9] - '0';
    }

    /// <summary>The letter of a Spanish DNI (or NIE, its X/Y/Z read as 0/1/2): the number mod 23 in "TRWAGMYFPDXBNJZSQVHLCKE".</summary>
    public static char SpanishIdLetter(ReadOnlySpan<char> digits)
    {
        var remainder = 0;
        foreach (var c in digits)
        {
            remainder = ((remainder * 10) + (c - '0')) % 23;
        }

        return "TRWAGMYFPDXBNJZSQVHLCKE"[remainder];
    }

    /// <summary>The French NIR's key: 97 minus the 13-character number mod 97, Corsica's departments
    /// 2A and 2B (characters 6 and 7) read as 19 and 18.</summary>
    public static bool NirKey(ReadOnlySpan<char> number, int key)
    {
        var remainder = 0;
        for (var i = 0; i < number.Length; i++)
        {
            var d = (i, number[6]) switch
            {
                (5, 'A' or 'B') => 1,
                (6, 'A') => 9,
                (6, 'B') => 8,
                _ => number[i] - '0',
            };
            remainder = ((remainder * 10) + d) % 97;
        }

        return key == 97 - remainder;
    }

    /// <summary>The Verhoeff check (dihedral group D5) of Aadhaar numbers: every single-digit error and adjacent swap changes it.</summary>
    public static bool Verhoeff(ReadOnlySpan<char> digits)
    {
        var c = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            c = VerhoeffMultiply[(c * 10) + VerhoeffPermute[((i % 8) * 10) + (digits[digits.Length - 1 - i] - '0')]];
        }

        return c == 0;
    }

    private static ReadOnlySpan<byte> VerhoeffMultiply =>
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 0, 6, 7, 8, 9, 5, 2, 3, 4, 0, 1, 7, 8, 9, 5, 6, 3, 4, 0, 1, 2, 8, 9, 5, 6, 7,
        4, 0, 1, 2, 3, 9, 5, 6, 7, 8, 5, 9, 8, 7, 6, 0, 4, 3, 2, 1, 6, 5, 9, 8, 7, 1, 0, 4, 3, 2, 7, 6, 5, 9, 8, 2, 1, 0, 4, 3,
        8, 7, 6, 5, 9, 3, 2, 1, 0, 4, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
    ];

    private static ReadOnlySpan<byte> VerhoeffPermute =>
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 5, 7, 6, 2, 8, 3, 0, 9, 4, 5, 8, 0, 3, 7, 9, 6, 1, 4, 2, 8, 9, 1, 6, 0, 4, 3, 5, 2, 7,
        9, 4, 5, 3, 1, 2, 6, 8, 7, 0, 4, 2, 8, 6, 5, 7, 3, 9, 0, 1, 2, 7, 9, 3, 8, 0, 6, 4, 1, 5, 7, 0, 4, 6, 9, 1, 3, 2, 5, 8,
    ];

    /// <summary>Shannon entropy in bits per character.</summary>
    public static double Entropy(ReadOnlySpan<char> value)
    {
        Span<int> counts = stackalloc int[128];
        counts.Clear();
        var total = 0;
        foreach (var c in value)
        {
            if (c < 128)
            {
                counts[c]++;
                total++;
            }
        }

        var entropy = 0.0;
        foreach (var n in counts)
        {
            if (n > 0)
            {
                var p = (double)n / total;
                entropy -= p * Math.Log2(p);
            }
        }

        return entropy;
    }
}
