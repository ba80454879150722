using System.Diagnostics.Metrics;

namespace Guardrail.Detection.Detectors;

/// <summary>ONNX Runtime calls (meter "Guardrail.Detection"): items per batch (before padding)
/// and time per Run, by model. Issue 8's workers report through the same instruments.</summary>
internal static class InferenceMetrics
{
    public const string MeterName = "Guardrail.Detection";
    private static readonly Meter Meter = new(MeterName);
    private static readonly Histogram<int> BatchItems = Meter.CreateHistogram<int>("guardrail.inference.batch_items", description: "rows per ONNX Runtime Run (before padding to the batch shape)",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
    private static readonly Histogram<double> RunSeconds = Meter.CreateHistogram<double>("guardrail.inference.duration", unit: "s", description: "time of one ONNX Runtime Run",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1] });

    public static void Batch(string model, int items, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("model", model);
        BatchItems.Record(items, tag);
        RunSeconds.Record(elapsed.TotalSeconds, tag);
    }
}
