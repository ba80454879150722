namespace Guardrail.Audit.Sinks;

/// <summary>Where a record is stored: its environment and tenant (records of one segment go to
/// one file series or one stream; the model id is a field that tail and search filter on).</summary>
public readonly record struct AuditSegment(string Environment, string Tenant);

/// <summary>
/// Durable storage behind the <see cref="AuditLog"/> queue. Called from one writer task only.
/// A write either stores every line of the batch or throws (the log retries the batch; a sink
/// must leave itself able to take the retry, e.g. by starting a new file).
/// </summary>
public interface IAuditSink : IAsyncDisposable
{
    /// <summary>Where the records go, for the start-up log.</summary>
    string Describe();

    /// <param name="lines">JSON lines, each ending in '\n', in the order the decisions were made.</param>
    Task WriteAsync(AuditSegment segment, IReadOnlyList<byte[]> lines, CancellationToken cancellationToken);

    /// <summary>Makes everything written so far durable (fsync for files). Called at most once per flush interval.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
