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
    public void Ignores_numbers_that_only_look_like_personal_data(string text)
        => Assert.Empty(Scan.With(Detector, text));

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
