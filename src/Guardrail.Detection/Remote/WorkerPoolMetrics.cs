using System.Diagnostics.Metrics;

namespace Guardrail.Detection.Remote;

/// <summary>The gateway's side of detector workers (meter "Guardrail.Workers"): workers known by
/// breaker state, texts outstanding, Detect calls by status and their time, texts and Screen calls
/// per Detect call, breaker openings, and texts no worker could score.</summary>
internal static class WorkerPoolMetrics
{
    private static readonly Meter Meter = new("Guardrail.Workers");
    private static readonly Counter<long> Calls = Meter.CreateCounter<long>("guardrail.workers.detect_calls", description: "Detect calls to workers by status; retry=true for second and later attempts");
    private static readonly Histogram<double> CallSeconds = Meter.CreateHistogram<double>("guardrail.workers.detect_duration", unit: "s", description: "time of one Detect call",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
    private static readonly Histogram<int> CallTexts = Meter.CreateHistogram<int>("guardrail.workers.detect_texts", description: "texts per Detect call (the gateway's micro-batch)",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
    private static readonly Histogram<int> CallRequests = Meter.CreateHistogram<int>("guardrail.workers.detect_requests", description: "Screen calls sharing one Detect call",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64] });
    private static readonly Counter<long> Openings = Meter.CreateCounter<long>("guardrail.workers.breaker_opened", description: "circuit breaker openings");
    private static readonly Counter<long> UnservedTexts = Meter.CreateCounter<long>("guardrail.workers.unserved_texts", description: "texts no worker scored in time (the fail mode decided)");

    private static volatile WorkerPool? _pool;

    static WorkerPoolMetrics()
    {
        Meter.CreateObservableGauge("guardrail.workers.known", () => (_pool?.Workers ?? []).GroupBy(w => w.Breaker.Current)
            .Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("breaker", g.Key.ToString().ToLowerInvariant()))), description: "workers in the membership, by breaker state");
        Meter.CreateObservableGauge("guardrail.workers.outstanding_texts", () => (_pool?.Workers ?? []).Sum(w => w.Outstanding), description: "texts sent to workers and not yet answered");
    }

    /// <summary>The pool the gauges read (a gateway has one).</summary>
    public static void Observe(WorkerPool pool) => _pool = pool;

    public static void Call(string status, TimeSpan elapsed, bool retry)
    {
        Calls.Add(1, new KeyValuePair<string, object?>("code", status), new KeyValuePair<string, object?>("retry", retry ? "true" : "false"));
        CallSeconds.Record(elapsed.TotalSeconds);
    }

    public static void MicroBatch(int texts, int requests)
    {
        CallTexts.Record(texts);
        CallRequests.Record(requests);
    }

    public static void BreakerOpened() => Openings.Add(1);

    public static void Unserved(int texts) => UnservedTexts.Add(texts);
}
