using Guardrail.Core.Detectors;
using Guardrail.Core.Screening;

namespace Guardrail.Core.Tests;

public sealed class PlaceholdersTests
{
    private static Finding Pii(string rule, int start, int end) => new("pii", DetectorCategory.Pii, rule, 0.9f, start, end);

    [Fact]
    public void Overlapping_findings_merge_into_one_span_named_by_the_first_and_redaction_reads_as_before()
    {
        const string text = "Mail john@example.com or call +44 20 7946 0958 now";
        var findings = new[] { Pii("email", 5, 21), Pii("person-name", 5, 9), Pii("phone", 30, 46) };
        var spans = Placeholders.Spans(findings);
        Assert.Equal([(5, 21, "email"), (30, 46, "phone")], spans.Select(s => (s.Start, s.End, s.First.Rule)));
        Assert.Equal("Mail [REDACTED:EMAIL] or call [REDACTED:PHONE] now", VerdictEngine.Redact(text, findings));
        Assert.Equal("Mail [EMAIL_1] or call [PHONE_1] now", Placeholders.Rewrite(text, spans, s => Placeholders.Of(Placeholders.KindOf(s.First.Rule), 1)));
    }

    [Fact]
    public void Kinds_read_as_placeholder_names()
    {
        Assert.Equal(["PERSON", "ADDRESS", "CREDIT_CARD", "EMAIL", "UK_NHS_NUMBER"], new[] { "person-name", "postal-address", "payment-card", "email", "uk-nhs-number" }.Select(Placeholders.KindOf));
    }

    [Fact]
    public void Restore_replaces_known_placeholders_and_leaves_made_up_ones_and_look_alikes()
    {
        const string output = "Dear [PERSON_1], we wrote to [EMAIL_1] about [PERSON_1]'s order. [PHONE_9] [person_1] [PERSON_0] [PERSON_] [REDACTED:EMAIL]";
        Assert.Equal(["[PERSON_1]", "[EMAIL_1]", "[PHONE_9]"], Placeholders.Find(output));
        var restored = Placeholders.Restore(output, new Dictionary<string, string> { ["[PERSON_1]"] = "John Smith", ["[EMAIL_1]"] = "john@example.com" });
        Assert.Equal("Dear John Smith, we wrote to john@example.com about John Smith's order. [PHONE_9] [person_1] [PERSON_0] [PERSON_] [REDACTED:EMAIL]", restored);
    }
}
