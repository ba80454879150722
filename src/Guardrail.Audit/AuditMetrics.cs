using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Guardrail.Audit;

/// <summary>The audit log's instruments (meter "Guardrail.Audit").</summary>
internal static class AuditMetrics
{
    public const string MeterName = "Guardrail.Audit";
    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> Written = Meter.CreateCounter<long>("guardrail.audit.records_written", description: "audit records stored by the sink");

    public static readonly Counter<long> Dropped = Meter.CreateCounter<long>("guardrail.audit.records_dropped", description: "audit records dropped because the queue was full (Guardrail:Audit:WhenFull=Drop)");

    public static readonly Counter<long> Lost = Meter.CreateCounter<long>("guardrail.audit.records_lost", description: "audit records the sink still refused at shutdown");

    public static readonly Counter<long> SinkErrors = Meter.CreateCounter<long>("guardrail.audit.sink_errors", description: "failed sink writes (each is retried)");

    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("guardrail.audit.batch_records", description: "records per sink write",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });

    public static readonly Histogram<double> FlushSeconds = Meter.CreateHistogram<double>("guardrail.audit.flush_duration", unit: "s", description: "time to make written records durable (fsync)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1] });

    private static readonly ConcurrentDictionary<AuditLog, byte> Live = new();

    static AuditMetrics()
    {
        Meter.CreateObservableGauge("guardrail.audit.queue_depth", () => Live.Keys.Sum(log => log.QueueDepth), description: "audit records waiting for the sink");
    }

    public static void Track(AuditLog log) => Live[log] = 0;

    public static void Untrack(AuditLog log) => Live.TryRemove(log, out _);
}
