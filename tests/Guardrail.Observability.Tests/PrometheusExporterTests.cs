using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;

namespace Guardrail.Observability.Tests;

public sealed partial class PrometheusExporterTests
{
    [Fact]
    public void Counters_sum_per_label_set_and_end_in_total()
    {
        using var meter = NewMeter(out var exporter);
        var calls = meter.CreateCounter<long>("test.calls", description: "calls");
        calls.Add(2, new("code", "OK"), new("method", "/a"));
        calls.Add(3, new("method", "/a"), new("code", "OK")); // same set, other order
        calls.Add(1, new KeyValuePair<string, object?>("code", "UNAVAILABLE"), new("method", "/a"));

        var page = exporter.Scrape();
        Assert.Contains("# TYPE test_calls_total counter\n", page, StringComparison.Ordinal);
        Assert.Contains("test_calls_total{code=\"OK\",method=\"/a\"} 5\n", page, StringComparison.Ordinal);
        Assert.Contains("test_calls_total{code=\"UNAVAILABLE\",method=\"/a\"} 1\n", page, StringComparison.Ordinal);
        AssertWellFormed(page);
    }

    [Fact]
    public void Histograms_have_cumulative_buckets_from_advice_sum_and_count()
    {
        using var meter = NewMeter(out var exporter);
        var latency = meter.CreateHistogram<double>("test.latency", unit: "s", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.01, 0.1] });
        foreach (var value in new[] { 0.0005, 0.001, 0.005, 0.05, 2 })
        {
            latency.Record(value);
        }

        var page = exporter.Scrape();
        Assert.Contains("test_latency_seconds_bucket{le=\"0.001\"} 2\n", page, StringComparison.Ordinal); // le: 0.001 itself counts
        Assert.Contains("test_latency_seconds_bucket{le=\"0.01\"} 3\n", page, StringComparison.Ordinal);
        Assert.Contains("test_latency_seconds_bucket{le=\"0.1\"} 4\n", page, StringComparison.Ordinal);
        Assert.Contains("test_latency_seconds_bucket{le=\"+Inf\"} 5\n", page, StringComparison.Ordinal);
        Assert.Contains("test_latency_seconds_count 5\n", page, StringComparison.Ordinal);
        Assert.Contains("test_latency_seconds_sum 2.0565\n", page, StringComparison.Ordinal);
        AssertWellFormed(page);
    }

    [Fact]
    public void Observable_gauges_are_read_at_each_scrape_and_vanished_series_go()
    {
        using var meter = NewMeter(out var exporter);
        var tenants = new Dictionary<string, int> { ["a\"b\\c"] = 1, ["other"] = 0 };
        meter.CreateObservableGauge("test.anomalous", () => tenants.Select(t => new Measurement<int>(t.Value, new KeyValuePair<string, object?>("tenant", t.Key))));

        var page = exporter.Scrape();
        Assert.Contains("test_anomalous{tenant=\"a\\\"b\\\\c\"} 1\n", page, StringComparison.Ordinal); // quotes and backslashes escaped
        tenants.Remove("other");
        tenants["a\"b\\c"] = 0;
        page = exporter.Scrape();
        Assert.Contains("test_anomalous{tenant=\"a\\\"b\\\\c\"} 0\n", page, StringComparison.Ordinal);
        Assert.DoesNotContain("tenant=\"other\"", page, StringComparison.Ordinal);
        AssertWellFormed(page);
    }

    [Fact]
    public void Meters_outside_the_prefixes_are_not_exported()
    {
        using var meter = NewMeter(out var exporter);
        using var foreign = new Meter("Foreign." + Guid.NewGuid().ToString("N"));
        foreign.CreateCounter<long>("foreign.calls").Add(1);
        Assert.DoesNotContain("foreign_calls", exporter.Scrape(), StringComparison.Ordinal);
    }

    /// <summary>A meter of its own (a fresh name) and an exporter that sees only it.</summary>
    private static Meter NewMeter(out PrometheusExporter exporter)
    {
        var prefix = "Test." + Guid.NewGuid().ToString("N");
        exporter = new PrometheusExporter(prefix);
        return new Meter(prefix);
    }

    /// <summary>Each line is a comment or `name{labels} value` in the text format.</summary>
    private static void AssertWellFormed(string page)
    {
        foreach (var line in page.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.Matches(SampleOrComment(), line);
        }
    }

    [GeneratedRegex("""^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [-+0-9.eEInfNa]+)$""")]
    private static partial Regex SampleOrComment();
}
