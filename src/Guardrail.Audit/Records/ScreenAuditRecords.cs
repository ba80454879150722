using System.Text;
using Guardrail.Audit.Sealing;
using Guardrail.Contracts.V1;

namespace Guardrail.Audit.Records;

/// <summary>Builds the audit record of a Screen decision from the request and the response the
/// caller got (so the record says exactly what the caller was told): digests of the texts, never
/// the texts; the texts themselves only sealed, and only for the verdicts the policy retains.</summary>
public sealed class ScreenAuditRecords(string environment, IReadOnlySet<string> retainVerdicts, AuditKeyRing? keys)
{
    /// <summary>The environment every record names (Guardrail:Audit:Environment).</summary>
    public string Environment => environment;

    public AuditRecord From(ScreenRequest request, ScreenResponse response, DateTimeOffset time, double latencyMs)
    {
        var record = new AuditRecord
        {
            Kind = AuditRecord.ScreenKind,
            RequestId = response.RequestId,
            Time = time,
            Environment = environment,
            Tenant = response.TenantId,
            Session = NullIfEmpty(request.SessionId),
            ModelId = NullIfEmpty(request.ModelId),
            Channel = WireName(request.Channel == Channel.Unspecified ? Channel.UserPrompt : request.Channel),
            TextSha256 = TextDigest.Sha256Hex(request.Text),
            TextChars = request.Text.Length,
            Verdict = WireName(response.Verdict),
            Reasons = [.. response.Reasons],
            PolicyVersion = response.PolicyVersion,
            LatencyMs = Math.Round(latencyMs, 3),
            FindingsOmitted = response.FindingsOmitted > 0 ? (int)response.FindingsOmitted : null,
            State = new AuditStateNote
            {
                SessionRisk = response.SessionRisk,
                RetryAfterMs = response.RetryAfterMs > 0 ? response.RetryAfterMs : null,
                SessionLockedUntilMs = response.SessionLockedUntilMs > 0 ? response.SessionLockedUntilMs : null,
                TenantAnomalous = response.TenantAnomalous ? true : null,
                Fallback = response.StateFallback ? true : null,
            },
        };
        if (request.Documents.Count > 0)
        {
            record.Documents = [.. request.Documents.Select(d => new AuditDocument { Id = d.Id, Source = NullIfEmpty(d.Source), Sha256 = TextDigest.Sha256Hex(d.Text), Chars = d.Text.Length })];
        }

        if (response.Findings.Count > 0)
        {
            record.Findings = [.. response.Findings.Select(f => new AuditFinding
            {
                Detector = f.Detector,
                Category = f.Category,
                Rule = NullIfEmpty(f.Rule),
                Score = f.Score,
                DocumentId = NullIfEmpty(f.DocumentId),
                Start = f.Span?.Start ?? 0,
                End = f.Span?.End ?? 0,
                Hidden = f.Hidden ? true : null,
                HiddenAs = NullIfEmpty(f.HiddenAs),
            })];
        }

        if (response.Detectors.Count > 0)
        {
            record.Detectors = [.. response.Detectors.Select(d => new AuditDetector
            {
                Detector = d.Detector,
                Model = $"{d.Model}@{d.Version}",
                Status = WireName(d.Status),
                Score = d.Score,
                Reason = NullIfEmpty(d.Reason),
            })];
        }

        if (keys is not null && retainVerdicts.Contains(record.Verdict))
        {
            var text = new RetainedText
            {
                Text = request.Text,
                Documents = request.Documents.Count == 0 ? null : [.. request.Documents.Select(d => new RetainedDocument { Id = d.Id, Text = d.Text })],
            };
            record.Retained = keys.Seal(text, record.RequestId, record.Tenant, record.TextSha256);
        }

        return record;
    }

    /// <summary>UserPrompt → USER_PROMPT, SkippedIsolated → SKIPPED_ISOLATED: the proto names without
    /// their prefix. Computed once per enum value: a record names several (hot path).</summary>
    public static string WireName<TEnum>(TEnum value)
        where TEnum : struct, Enum
        => WireNames<TEnum>.Known.TryGetValue(value, out var name) ? name : WireNames<TEnum>.Convert(value);

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static class WireNames<TEnum>
        where TEnum : struct, Enum
    {
        public static readonly Dictionary<TEnum, string> Known = Enum.GetValues<TEnum>().Distinct().ToDictionary(v => v, Convert);

        public static string Convert(TEnum value)
        {
            var name = value.ToString();
            var text = new StringBuilder(name.Length + 4);
            for (var i = 0; i < name.Length; i++)
            {
                if (i > 0 && char.IsUpper(name[i]))
                {
                    text.Append('_');
                }

                text.Append(char.ToUpperInvariant(name[i]));
            }

            return text.ToString();
        }
    }
}
