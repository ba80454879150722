using Guardrail.Audit.Records;

namespace Guardrail.Audit.Reading;

/// <summary>Which records `guardrailctl audit tail|search` shows; null fields match everything.</summary>
public sealed record AuditQuery(
    string? Environment = null,
    string? Tenant = null,
    string? Session = null,
    string? Verdict = null,
    string? ModelId = null,
    string? RequestId = null,
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null)
{
    public bool Matches(AuditRecord record)
        => (Environment is null || record.Environment == Environment)
           && (Tenant is null || record.Tenant == Tenant)
           && (Session is null || record.Session == Session)
           && (Verdict is null || string.Equals(record.Verdict, Verdict, StringComparison.OrdinalIgnoreCase))
           && (ModelId is null || record.ModelId == ModelId)
           && (RequestId is null || record.RequestId == RequestId)
           && (Since is null || record.Time >= Since)
           && (Until is null || record.Time <= Until);
}

/// <summary>A line that is not a record: where, and whether it is the cut-off end of a file that
/// a crash interrupted (expected after a kill) or damage in the middle (not expected).</summary>
public sealed record AuditReadProblem(string Where, int Line, bool TornTail, string Error);
