using System.Text;
using System.Text.RegularExpressions;

namespace Guardrail.Core.Screening;

/// <summary>
/// The text side of redaction and of reversible anonymisation: the spans a redaction replaces
/// (overlapping findings merged into one span, named by the finding that opens it), rewriting
/// them with labels ([REDACTED:EMAIL] or a session's placeholder, [EMAIL_2]), and finding and
/// restoring placeholders in a model's output. Placeholders are [KIND_N]: KIND from the finding's
/// rule (<see cref="KindOf"/>), N counted per kind in the session.
/// </summary>
public static partial class Placeholders
{
    /// <summary>A placeholder's kind for a PII rule: PERSON, ADDRESS, EMAIL, PHONE, CREDIT_CARD, ...</summary>
    public static string KindOf(string rule) => rule switch
    {
        "person-name" => "PERSON",
        "postal-address" => "ADDRESS",
        "payment-card" => "CREDIT_CARD",
        _ => rule.ToUpperInvariant().Replace('-', '_'),
    };

    /// <summary>The spans these findings redact in one text, in order, overlaps merged.</summary>
    public static List<RedactedSpan> Spans(IEnumerable<Finding> findings)
    {
        var sorted = findings.OrderBy(f => f.Start).ThenByDescending(f => f.End).ToList();
        var spans = new List<RedactedSpan>();
        var position = 0;
        for (var i = 0; i < sorted.Count; i++)
        {
            var first = sorted[i];
            var start = Math.Max(first.Start, position);
            var end = first.End;
            while (i + 1 < sorted.Count && sorted[i + 1].Start < end)
            {
                end = Math.Max(end, sorted[++i].End);
            }

            if (end > start)
            {
                spans.Add(new RedactedSpan(start, end, first));
                position = end;
            }
        }

        return spans;
    }

    /// <summary>The text with each span replaced by its label.</summary>
    public static string Rewrite(string text, IReadOnlyList<RedactedSpan> spans, Func<RedactedSpan, string> label)
    {
        var builder = new StringBuilder(text.Length);
        var position = 0;
        foreach (var span in spans)
        {
            builder.Append(text, position, span.Start - position).Append(label(span));
            position = span.End;
        }

        return builder.Append(text, position, text.Length - position).ToString();
    }

    /// <summary>The label of plain (irreversible) redaction: [REDACTED:RULE].</summary>
    public static string Redacted(RedactedSpan span) => "[REDACTED:" + span.First.Rule.ToUpperInvariant().Replace('-', '_') + "]";

    /// <summary>A session's placeholder: [KIND_N].</summary>
    public static string Of(string kind, int number) => $"[{kind}_{number}]";

    /// <summary>The distinct placeholders a text holds, in the order they first appear.</summary>
    public static List<string> Find(string text)
    {
        var found = new List<string>();
        foreach (Match match in Token().Matches(text))
        {
            if (!found.Contains(match.Value, StringComparer.Ordinal))
            {
                found.Add(match.Value);
            }
        }

        return found;
    }

    /// <summary>The text with each placeholder that has an original replaced by it; others stay.</summary>
    public static string Restore(string text, IReadOnlyDictionary<string, string> originals)
        => Token().Replace(text, match => originals.TryGetValue(match.Value, out var original) ? original : match.Value);

    [GeneratedRegex(@"\[[A-Z][A-Z0-9_]{0,31}_[1-9][0-9]{0,5}\]", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex Token();
}

/// <summary>One redacted span: characters [Start, End) of its text, opened by <see cref="First"/>.</summary>
public sealed record RedactedSpan(int Start, int End, Finding First);
