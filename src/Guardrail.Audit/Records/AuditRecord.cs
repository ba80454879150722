namespace Guardrail.Audit.Records;

/// <summary>
/// One audit record: a Screen decision (kind "screen") or an admin action (kind "admin"). Holds
/// SHA-256 digests of the screened text and documents, never the text itself; the text is kept
/// only when the retention policy says so, and then sealed with AES-GCM (<see cref="Retained"/>).
/// Serialised as one JSON line (snake_case names, absent fields left out).
/// </summary>
public sealed class AuditRecord
{
    public const string ScreenKind = "screen";
    public const string AdminKind = "admin";

    public string Kind { get; set; } = ScreenKind;

    public string RequestId { get; set; } = string.Empty;

    public DateTimeOffset Time { get; set; }

    /// <summary>Deployment environment (Guardrail:Audit:Environment): one of the three segment keys with tenant and model.</summary>
    public string Environment { get; set; } = string.Empty;

    public string Tenant { get; set; } = string.Empty;

    public string? Session { get; set; }

    /// <summary>The protected (target) LLM model the request was for.</summary>
    public string? ModelId { get; set; }

    public string? Channel { get; set; }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 text.</summary>
    public string? TextSha256 { get; set; }

    public int? TextChars { get; set; }

    public List<AuditDocument>? Documents { get; set; }

    public string? Verdict { get; set; }

    public List<string>? Reasons { get; set; }

    public List<AuditFinding>? Findings { get; set; }

    public int? FindingsOmitted { get; set; }

    public List<AuditDetector>? Detectors { get; set; }

    public string? PolicyVersion { get; set; }

    public double? LatencyMs { get; set; }

    public AuditStateNote? State { get; set; }

    /// <summary>Admin actions: who (the API key's name or "embedded"), what, on what.</summary>
    public string? Actor { get; set; }

    public string? Action { get; set; }

    public string? Target { get; set; }

    public string? Detail { get; set; }

    /// <summary>The text and documents, sealed, when the retention policy keeps this verdict.</summary>
    public SealedText? Retained { get; set; }
}

public sealed class AuditDocument
{
    public string Id { get; set; } = string.Empty;

    public string? Source { get; set; }

    public string Sha256 { get; set; } = string.Empty;

    public int Chars { get; set; }
}

/// <summary>A finding as the caller was told it: span in code points of the text or document.</summary>
public sealed class AuditFinding
{
    public string Detector { get; set; } = string.Empty;

    public string Category { get; set; } = string.Empty;

    public string? Rule { get; set; }

    public float Score { get; set; }

    public string? DocumentId { get; set; }

    public uint Start { get; set; }

    public uint End { get; set; }

    public bool? Hidden { get; set; }

    /// <summary>How the payload was hidden (base64, rot13, tag-characters, ...), when hidden.</summary>
    public string? HiddenAs { get; set; }
}

public sealed class AuditDetector
{
    public string Detector { get; set; } = string.Empty;

    /// <summary>model@version.</summary>
    public string Model { get; set; } = string.Empty;

    public string Status { get; set; } = string.Empty;

    public float Score { get; set; }

    public string? Reason { get; set; }
}

/// <summary>What the state store said about the turn.</summary>
public sealed class AuditStateNote
{
    public float SessionRisk { get; set; }

    public ulong? RetryAfterMs { get; set; }

    public ulong? SessionLockedUntilMs { get; set; }

    public bool? TenantAnomalous { get; set; }

    public bool? Fallback { get; set; }
}

/// <summary>AES-256-GCM ciphertext of <see cref="RetainedText"/>: key id, 12-byte nonce and
/// ciphertext followed by the 16-byte tag, base64. The associated data binds it to its record
/// (request id, tenant and text digest), so moving it to another record fails authentication.</summary>
public sealed class SealedText
{
    public string KeyId { get; set; } = string.Empty;

    public string Nonce { get; set; } = string.Empty;

    public string Data { get; set; } = string.Empty;
}

/// <summary>The plaintext inside <see cref="SealedText"/>.</summary>
public sealed class RetainedText
{
    public string Text { get; set; } = string.Empty;

    public List<RetainedDocument>? Documents { get; set; }
}

public sealed class RetainedDocument
{
    public string Id { get; set; } = string.Empty;

    public string Text { get; set; } = string.Empty;
}
