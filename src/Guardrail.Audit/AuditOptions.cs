using System.Text.RegularExpressions;

namespace Guardrail.Audit;

/// <summary>What to do when the audit queue is full.</summary>
public enum AuditOverflow
{
    /// <summary>The Screen call waits for room (within its deadline): nothing is lost, latency grows.</summary>
    BackPressure,

    /// <summary>The record is dropped and counted (guardrail_audit_dropped_total, a warning log): latency holds.</summary>
    Drop,
}

/// <summary>The audit log's settings (section "Guardrail:Audit").</summary>
public sealed partial class AuditOptions
{
    public const string Section = "Guardrail:Audit";

    /// <summary>Write audit records. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>"file" (JSONL files, the embedded default) or "redis" (a Redis Stream per tenant). Default "file".</summary>
    public string Sink { get; set; } = "file";

    /// <summary>Root folder of the JSONL files, relative to the working directory. Default "audit".</summary>
    public string Directory { get; set; } = "audit";

    /// <summary>Deployment environment written in every record and used as a segment (folder, stream
    /// name). Letters, digits, '.', '_', '-'. Default "local".</summary>
    public string Environment { get; set; } = "local";

    /// <summary>A JSONL file is closed and a new one begun past this size (and at each UTC day). Default 67108864 (64 MiB).</summary>
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Records reach the OS as they come (in batches); written files are fsynced at most
    /// this often. A killed process loses at most the records of the last window still queued;
    /// a power loss at most this window. Default 200.</summary>
    public int FlushIntervalMs { get; set; } = 200;

    /// <summary>Records waiting for the sink; when full, <see cref="WhenFull"/> decides. Default 100000.</summary>
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>BackPressure (Screen waits for room, within its deadline; nothing lost) or Drop
    /// (counted and logged, never silent). Default BackPressure.</summary>
    public AuditOverflow WhenFull { get; set; } = AuditOverflow.BackPressure;

    /// <summary>Most records per sink write. Default 1024.</summary>
    public int MaxBatch { get; set; } = 1024;

    /// <summary>Redis for Sink=redis, StackExchange.Redis syntax; empty uses Guardrail:State:Redis. Default "".</summary>
    public string Redis { get; set; } = string.Empty;

    /// <summary>Each stream is trimmed to about this many entries (XADD MAXLEN ~). Default 1000000.</summary>
    public long StreamMaxLength { get; set; } = 1_000_000;

    /// <summary>Verdicts whose text and documents are kept, sealed with AES-256-GCM, e.g.
    /// "BLOCK,FLAG"; needs <see cref="KeyDirectory"/>. Empty keeps no text. Default "".</summary>
    public string RetainVerdicts { get; set; } = string.Empty;

    /// <summary>Folder of key files (file name = key id, content = base64 of 32 bytes; a mounted
    /// Secret). Default "".</summary>
    public string KeyDirectory { get; set; } = string.Empty;

    /// <summary>The key new records are sealed with; empty means the only key in the folder. Default "".</summary>
    public string ActiveKeyId { get; set; } = string.Empty;

    public IReadOnlySet<string> RetainedVerdicts => RetainVerdicts
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(v => v.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);

    public IEnumerable<string> Validate()
    {
        if (Sink is not ("file" or "redis"))
        {
            yield return $"{Section}:{nameof(Sink)} must be 'file' or 'redis' (was '{Sink}').";
        }

        if (!SegmentName().IsMatch(Environment))
        {
            yield return $"{Section}:{nameof(Environment)} must be 1-64 letters, digits, '.', '_' or '-' (was '{Environment}').";
        }

        if (Sink == "file" && string.IsNullOrWhiteSpace(Directory))
        {
            yield return $"{Section}:{nameof(Directory)} must name a folder for Sink=file.";
        }

        if (MaxFileBytes < 4096)
        {
            yield return $"{Section}:{nameof(MaxFileBytes)} must be at least 4096 (was {MaxFileBytes}).";
        }

        if (FlushIntervalMs is < 1 or > 60_000)
        {
            yield return $"{Section}:{nameof(FlushIntervalMs)} must be 1..60000 (was {FlushIntervalMs}).";
        }

        if (QueueCapacity < 1)
        {
            yield return $"{Section}:{nameof(QueueCapacity)} must be at least 1 (was {QueueCapacity}).";
        }

        if (MaxBatch < 1)
        {
            yield return $"{Section}:{nameof(MaxBatch)} must be at least 1 (was {MaxBatch}).";
        }

        if (StreamMaxLength < 1)
        {
            yield return $"{Section}:{nameof(StreamMaxLength)} must be at least 1 (was {StreamMaxLength}).";
        }

        foreach (var verdict in RetainedVerdicts.Where(v => v is not ("ALLOW" or "FLAG" or "REDACT" or "BLOCK" or "THROTTLE")))
        {
            yield return $"{Section}:{nameof(RetainVerdicts)} lists '{verdict}'; verdicts are ALLOW, FLAG, REDACT, BLOCK, THROTTLE.";
        }

        if (RetainedVerdicts.Count > 0 && string.IsNullOrWhiteSpace(KeyDirectory))
        {
            yield return $"{Section}:{nameof(RetainVerdicts)} keeps text, which is only ever stored encrypted: set {Section}:{nameof(KeyDirectory)} (create a key with `guardrailctl audit keygen`).";
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex SegmentName();
}
