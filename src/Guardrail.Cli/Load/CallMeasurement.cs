using System.Globalization;
using Grpc.Core;
using Guardrail.Contracts.Client;

namespace Guardrail.Cli.Load;

/// <summary>Latencies (ms) of answered calls and the status of failed ones, over some seconds.</summary>
public sealed class CallMeasurement
{
    public List<double> Latencies { get; } = [];

    public List<StatusCode> Errors { get; } = [];

    public double Seconds { get; set; }

    public double Rate => Latencies.Count / Math.Max(Seconds, 1e-9);

    public void Add(CallMeasurement other)
    {
        Latencies.AddRange(other.Latencies);
        Errors.AddRange(other.Errors);
        Seconds += other.Seconds;
    }

    public double Percentile(double p)
    {
        if (Latencies.Count == 0)
        {
            return double.NaN;
        }

        Latencies.Sort();
        return Latencies[Math.Min(Latencies.Count - 1, Math.Max(0, (int)Math.Ceiling(p * Latencies.Count) - 1))];
    }

    public string ErrorSummary() => Errors.Count == 0 ? "0" : string.Join(" ", Errors.GroupBy(e => e).Select(g => $"{g.Key.Canonical()}:{g.Count()}"));

    public string[] Row(string name) =>
    [
        name,
        Latencies.Count.ToString(CultureInfo.InvariantCulture),
        Rate.ToString("0", CultureInfo.InvariantCulture),
        Percentile(0.5).ToString("0.000", CultureInfo.InvariantCulture),
        Percentile(0.9).ToString("0.000", CultureInfo.InvariantCulture),
        Percentile(0.99).ToString("0.000", CultureInfo.InvariantCulture),
        Percentile(1.0).ToString("0.000", CultureInfo.InvariantCulture),
        ErrorSummary(),
    ];
}
