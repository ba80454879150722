using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Guardrail.Observability;

/// <summary>
/// Listens to every instrument of the meters whose names start with one of the given prefixes and
/// renders them in the Prometheus text exposition format (version 0.0.4): counters as
/// <c>_total</c>, histograms as cumulative <c>_bucket</c>/<c>_sum</c>/<c>_count</c> (bucket
/// boundaries from the instrument's advice, else <see cref="DefaultBuckets"/>), gauges and
/// up-down counters as gauges. Observable instruments are read at each scrape.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>Bucket boundaries for histograms that give no advice (the OpenTelemetry defaults).</summary>
    public static readonly double[] DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentSeries> _instruments = new();
    private readonly Lock _scrape = new();

    public PrometheusExporter(params string[] meterPrefixes)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (meterPrefixes.Any(prefix => instrument.Meter.Name.StartsWith(prefix, StringComparison.Ordinal)))
            {
                var series = _instruments.GetOrAdd(instrument, i => new InstrumentSeries(i));
                listener.EnableMeasurementEvents(instrument, series);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentSeries? _);
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>((_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>The current values of every instrument, as a Prometheus text page.</summary>
    public string Scrape()
    {
        lock (_scrape)
        {
            foreach (var series in _instruments.Values.Where(s => s.Observable))
            {
                series.ClearObserved(); // a series a callback stops reporting disappears
            }

            _listener.RecordObservableInstruments();
            var page = new StringBuilder();
            foreach (var series in _instruments.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                series.Render(page);
            }

            return page.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>One instrument's series, keyed by their rendered label set.</summary>
    private sealed class InstrumentSeries
    {
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);
        private readonly string _type;
        private readonly string? _help;
        private readonly double[]? _buckets;

        public InstrumentSeries(Instrument instrument)
        {
            Observable = instrument.IsObservable;
            _help = instrument.Description;
            var kind = instrument.GetType() is { IsGenericType: true } type ? type.GetGenericTypeDefinition() : null;
            var histogram = kind == typeof(Histogram<>);
            var counter = kind == typeof(Counter<>) || kind == typeof(ObservableCounter<>);
            _type = histogram ? "histogram" : counter ? "counter" : "gauge";
            Cumulative = !Observable && (histogram || counter || kind == typeof(UpDownCounter<>));
            _buckets = histogram ? BucketsOf(instrument) : null;
            Name = PrometheusNames.Metric(instrument.Name, instrument.Unit, counter);
        }

        public string Name { get; }

        public bool Observable { get; }

        /// <summary>Synchronous counters and histograms add up; observed values replace.</summary>
        private bool Cumulative { get; }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var series = _series.GetOrAdd(PrometheusNames.Labels(tags), _ => new Series(_buckets));
            series.Add(value, Cumulative);
        }

        public void ClearObserved() => _series.Clear();

        public void Render(StringBuilder page)
        {
            if (_series.IsEmpty)
            {
                return;
            }

            if (!string.IsNullOrEmpty(_help))
            {
                page.Append("# HELP ").Append(Name).Append(' ').Append(PrometheusNames.Help(_help)).Append('\n');
            }

            page.Append("# TYPE ").Append(Name).Append(' ').Append(_type).Append('\n');
            foreach (var (labels, series) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                series.Render(page, Name, labels, _buckets);
            }
        }

        private static double[] BucketsOf(Instrument instrument)
        {
            var advised = instrument switch
            {
                Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
                Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
                Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
                _ => null,
            };
            return advised is { Length: > 0 } ? advised : DefaultBuckets;
        }
    }

    private sealed class Series(double[]? buckets)
    {
        private readonly long[]? _counts = buckets is null ? null : new long[buckets.Length + 1];
        private double _value;
        private long _count;

        public void Add(double value, bool cumulative)
        {
            lock (this)
            {
                if (_counts is not null)
                {
                    var i = Array.BinarySearch(buckets!, value);
                    _counts[i >= 0 ? i : ~i]++; // le: a value equal to a bound falls in that bucket
                    _count++;
                    _value += value;
                }
                else
                {
                    _value = cumulative ? _value + value : value;
                }
            }
        }

        public void Render(StringBuilder page, string name, string labels, double[]? bounds)
        {
            lock (this)
            {
                if (_counts is null)
                {
                    page.Append(name).Append(labels).Append(' ').Append(PrometheusNames.Number(_value)).Append('\n');
                    return;
                }

                long cumulative = 0;
                for (var i = 0; i <= bounds!.Length; i++)
                {
                    cumulative += _counts[i];
                    var le = i < bounds.Length ? PrometheusNames.Number(bounds[i]) : "+Inf";
                    page.Append(name).Append("_bucket").Append(PrometheusNames.WithLabel(labels, "le", le)).Append(' ').Append(cumulative).Append('\n');
                }

                page.Append(name).Append("_sum").Append(labels).Append(' ').Append(PrometheusNames.Number(_value)).Append('\n');
                page.Append(name).Append("_count").Append(labels).Append(' ').Append(_count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
    }
}
