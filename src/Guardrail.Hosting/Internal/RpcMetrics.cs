using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Guardrail.Contracts.Client;

namespace Guardrail.Hosting.Internal;

/// <summary>The gRPC server's instruments (meter "Guardrail.Rpc"): calls by method and final
/// status code, call duration by method, calls in flight. Paths that are not a served method are
/// counted as method "unknown" so a scanner cannot grow the label set.</summary>
internal static class RpcMetrics
{
    public const string MeterName = "Guardrail.Rpc";
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Calls = Meter.CreateCounter<long>("guardrail.rpc.calls", description: "gRPC calls by method and final status code");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("guardrail.rpc.duration", unit: "s", description: "gRPC call duration by method, from request headers to the status",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
    private static readonly string[] Codes = [.. Enumerable.Range(0, 17).Select(code => ((StatusCode)code).Canonical())];
    private static long s_inFlight;

    static RpcMetrics()
    {
        // Read at each scrape: an UpDownCounter cost every call two trips through the metrics SDK.
        Meter.CreateObservableUpDownCounter("guardrail.rpc.in_flight", () => Interlocked.Read(ref s_inFlight), description: "gRPC calls being served now");
    }

    public static void Started() => Interlocked.Increment(ref s_inFlight);

    public static void Completed(string method, StatusCode status, double seconds)
    {
        Interlocked.Decrement(ref s_inFlight);
        var tags = new TagList { { "method", method }, { "code", (int)status < Codes.Length ? Codes[(int)status] : status.Canonical() } };
        Calls.Add(1, tags);
        Duration.Record(seconds, new KeyValuePair<string, object?>("method", method));
    }
}
