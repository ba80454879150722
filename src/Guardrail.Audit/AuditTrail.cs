using Guardrail.Audit.Records;
using Guardrail.Contracts.V1;

namespace Guardrail.Audit;

/// <summary>What the hosts call: one record per Screen decision or admin action, or nothing when
/// the audit log is disabled (Guardrail:Audit:Enabled=false). Disposing it drains and closes the log.</summary>
public sealed class AuditTrail(AuditLog? log, ScreenAuditRecords records, TimeProvider time) : IAsyncDisposable
{
    public AuditLog? Log => log;

    /// <summary>Queues the record of a decision before its response goes out, so every answer the
    /// caller sees has its record queued (and a graceful stop writes it).</summary>
    public ValueTask RecordScreenAsync(ScreenRequest request, ScreenResponse response, TimeSpan latency, CancellationToken cancellationToken)
        => log is null ? ValueTask.CompletedTask : log.AppendAsync(records.From(request, response, time.GetUtcNow(), latency.TotalMilliseconds), cancellationToken);

    public ValueTask RecordAdminAsync(string tenant, string actor, string action, string target, string? detail, CancellationToken cancellationToken)
        => log is null ? ValueTask.CompletedTask : log.AppendAsync(AdminAuditRecords.Action(records.Environment, tenant, actor, action, target, detail, time.GetUtcNow()), cancellationToken);

    public ValueTask DisposeAsync() => log?.DisposeAsync() ?? ValueTask.CompletedTask;
}
