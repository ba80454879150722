using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Guardrail.Detection.Detectors;

/// <summary>The dynamic batchers (meter "Guardrail.Detection"), by model: texts waiting, texts per
/// batch, how long a batch's first text waited, and texts by outcome (scored, expired, rejected,
/// failed; the rate of "scored" is items/s). Inference time is <see cref="InferenceMetrics"/>.</summary>
internal static class BatcherMetrics
{
    private static readonly Meter Meter = new(InferenceMetrics.MeterName);
    private static readonly Histogram<int> BatchItems = Meter.CreateHistogram<int>("guardrail.batcher.batch_items", description: "texts per batch",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
    private static readonly Histogram<double> QueueWait = Meter.CreateHistogram<double>("guardrail.batcher.queue_wait", unit: "s", description: "how long a batch's first text waited",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25] });
    private static readonly Counter<long> ItemsByOutcome = Meter.CreateCounter<long>("guardrail.batcher.items", description: "texts by outcome: scored, expired, rejected, failed");

    private static readonly ConcurrentDictionary<DynamicBatcher, byte> Batchers = new();

    static BatcherMetrics()
    {
        // Read from the batchers at each scrape: counted on every enqueue and batch instead, it cost
        // each text two trips through the metrics SDK.
        Meter.CreateObservableUpDownCounter("guardrail.batcher.queued_items", () => Batchers.Keys.GroupBy(b => b.Model.Detector.Model)
                .Select(g => new Measurement<int>(g.Sum(b => b.QueuedItems), new KeyValuePair<string, object?>("model", g.Key))),
            description: "texts waiting for a batch");
    }

    public static void Observe(DynamicBatcher batcher) => Batchers.TryAdd(batcher, 0);

    public static void Forget(DynamicBatcher batcher) => Batchers.TryRemove(batcher, out _);

    public static void Batch(string model, int items, TimeSpan firstWaited)
    {
        var tag = new KeyValuePair<string, object?>("model", model);
        BatchItems.Record(items, tag);
        QueueWait.Record(firstWaited.TotalSeconds, tag);
    }

    public static void Items(string model, string outcome, int count)
    {
        if (count > 0)
        {
            ItemsByOutcome.Add(count, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }
}
