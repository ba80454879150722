using Guardrail.Core.Detectors;

namespace Guardrail.Core.Tests;

public class PiiDetectorTests
{
    private static readonly PiiDetector Detector = new();

    [Theory]
    [InlineData("write to jane.doe+news@mail.example.co.uk today", "email", "jane.doe+news@mail.example.co.uk")]
    [InlineData("call (415) 555-0132 after six", "phone", "(415) 555-0132")]
    [InlineData("my number is +44 20 7946 0958.", "phone", "+44 20 7946 0958")]
    [InlineData("card 4111 1111 1111 1111 exp 12/29", "payment-card", "4111 1111 1111 1111")]
    [InlineData("amex 3782-822463-10005", "payment-card", "3782-822463-10005")]
    [InlineData("mastercard 5555555555554444", "payment-card", "5555555555554444")]
    [InlineData("pay to GB82 WEST 1234 5698 7654 32 please", "iban", "GB82 WEST 1234 5698 7654 32")]
    [InlineData("IBAN DE89370400440532013000", "iban", "DE89370400440532013000")]
    [InlineData("ssn 123-45-6789 on file", "us-ssn", "123-45-6789")]
    [InlineData("NHS number 943 476 5919 on the letter", "uk-nhs-number", "943 476 5919")]
    [InlineData("patient's NHS no. 9434765919.", "uk-nhs-number", "9434765919")]
    [InlineData("National Insurance AB 12 34 56 C", "uk-nino", "AB 12 34 56 C")]
    [InlineData("NINO: JG103759A", "uk-nino", "JG103759A")]
    [InlineData("SIN 130 692 544", "ca-sin", "130 692 544")]
    [InlineData("social insurance number 130692544", "ca-sin", "130692544")]
    [InlineData("DNI 12345678Z", "es-dni", "12345678Z")]
    [InlineData("NIE X-1234567-L", "es-nie", "X-1234567-L")]
    [InlineData("sécurité sociale 1 84 12 76 451 089 46", "fr-nir", "1 84 12 76 451 089 46")]
    [InlineData("NIR 185022A01234531 (Corsica)", "fr-nir", "185022A01234531")]
    [InlineData("Aadhaar 2345 6789 0124", "in-aadhaar", "2345 6789 0124")]
    [InlineData("my aadhaar is 234567890124", "in-aadhaar", "234567890124")]
    public void Finds_personal_data(string text, string rule, string expected)
    {
        var finding = Assert.Single(Scan.With(Detector, text), f => f.Rule == rule);
        Assert.Equal(expected, finding.Covered(text));
    }

    [Theory]
    [InlineData("card 4111 1111 1111 1112")] // fails Luhn
    [InlineData("order 1234567812345678 shipped")] // fails Luhn, no brand
    [InlineData("ts=1700000000000000017")] // 19 digits, Luhn-valid by chance? no brand prefix 17
    [InlineData("IBAN GB82 WEST 1234 5698 7654 33")] // bad mod-97
    [InlineData("ssn 000-12-3456 or 666-12-3456 or 912-12-3456")] // never issued
    [InlineData("version 1.2.3.4 at 10.0.0.12 on 2024-01-15 10:30:00")]
    [InlineData("id 123e4567-e89b-12d3-a456-426614174000")]
    [InlineData("user@localhost is not an address; neither is a@b")]
    [InlineData("NHS 9434765918")] // fails mod 11 (with spaces it would be a phone number)
    [InlineData("order 9434765919 shipped")] // valid by chance; unseparated needs the name nearby
    [InlineData("since 130692544 items, using 130692544 more")] // "sin" inside words is not the name
    [InlineData("NI GB 12 34 56 A and QQ123456C")] // prefixes never issued
    [InlineData("DNI 12345678A")] // wrong letter
    [InlineData("NIR 1 84 12 76 451 089 47")] // wrong key
    [InlineData("Aadhaar 2345 6789 0125")] // fails Verhoeff
    [InlineData("a 1234 5678 9012 id and 1 2 3 4")]
    public void Ignores_numbers_that_only_look_like_personal_data(string text)
        => Assert.Empty(Scan.With(Detector, text));

    [Fact]
    public void An_nhs_number_is_not_also_a_phone_number()
        => Assert.Equal("uk-nhs-number", Assert.Single(Scan.With(Detector, "NHS 943-476-5919")).Rule);

    [Theory]
    [InlineData("9434765919", true)]
    [InlineData("9434765910", false)]
    [InlineData("1000000010", false)] // the check would be 10: no number has these nine digits
    public void Nhs_numbers_need_mod_11(string digits, bool expected)
        => Assert.Equal(expected, Checksums.NhsMod11(digits));

    [Fact]
    public void Verhoeff_catches_every_adjacent_swap()
    {
        const string valid = "234567890124";
        Assert.True(Checksums.Verhoeff(valid));
        for (var i = 0; i + 1 < valid.Length; i++)
        {
            var swapped = valid.ToCharArray();
            (swapped[i], swapped[i + 1]) = (swapped[i + 1], swapped[i]);
            Assert.False(Checksums.Verhoeff(swapped), new string(swapped));
        }
    }

    [Fact]
    public void Ignores_code_snippets()
    {
        const string code = """
            for (int i = 0; i < 4111111111; i++) { total += prices[i] * 1.0625; }
            const uuid = "550e8400-e29b-41d4-a716-446655440000"; // 2024-05-01
            git checkout 3f786850e387550fdab836ed7e6dc881de23001b
            """;
        Assert.Empty(Scan.With(Detector, code));
    }

    [Fact]
    public void Zero_width_characters_cannot_split_an_email()
    {
        const string text = "mail jane\u200B.doe@exa\u200Bmple.com now";
        var finding = Assert.Single(Scan.With(Detector, text));
        Assert.Equal("jane\u200B.doe@exa\u200Bmple.com", finding.Covered(text));
    }

    [Theory]
    [InlineData("4111111111111111", true)]
    [InlineData("4111111111111112", false)]
    [InlineData("378282246310005", true)]
    [InlineData("6011111111111117", true)]
    [InlineData("9111111111111111", false)] // Luhn-valid is not enough without a brand prefix
    public void Card_numbers_need_brand_length_and_luhn(string digits, bool expected)
        => Assert.Equal(expected, PiiDetector.IsCardNumber(digits));
}
