using System.Diagnostics;
using System.Diagnostics.Metrics;
using Guardrail.Audit.Records;
using Guardrail.Core.Registry;
using Guardrail.Core.Screening;
using Guardrail.Gateway.Services;

namespace Guardrail.Gateway;

/// <summary>The gateway's screening instruments (meter "Guardrail.Gateway"): decisions by verdict
/// and tenant, Screen latency, each detector's time and status, and the status of every detector
/// model this gateway serves. Labels are ids and enum names only, never text.</summary>
public static class GatewayMetrics
{
    public const string MeterName = "Guardrail.Gateway";
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Decisions = Meter.CreateCounter<long>("guardrail.screen.decisions", description: "Screen decisions by verdict and tenant");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("guardrail.screen.duration", unit: "s", description: "Screen decision time in the gateway (detectors, state store, audit enqueue), by verdict",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
    private static readonly Histogram<double> DetectorDuration = Meter.CreateHistogram<double>("guardrail.detector.duration", unit: "s", description: "time one detector spent on one request (text and documents)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05] });
    private static readonly Counter<long> DetectorRuns = Meter.CreateCounter<long>("guardrail.detector.runs", description: "detector runs by detector and status (RAN, SHADOW, SKIPPED, FAILED...)");
    private static readonly Counter<long> IsolationRuleActions = Meter.CreateCounter<long>("guardrail.isolation_rule.actions", description: "isolation rules crossed, by target model and mode (suggest, auto)");
    private static Func<IEnumerable<Measurement<int>>>? s_models;
    private static Func<ModelControls>? s_registry;

    static GatewayMetrics()
    {
        Meter.CreateObservableGauge("guardrail.model.status", () => s_models?.Invoke() ?? [],
            description: "1 for each detector model and its status (active, shadow, isolated, unavailable) in this gateway");
        Meter.CreateObservableGauge("guardrail.registry.revision", () => s_registry?.Invoke().Revision ?? 0,
            description: "the control-plane revision this gateway applies (compare across gateways to see propagation)");
        Meter.CreateObservableGauge("guardrail.registry.isolated", () => (s_registry?.Invoke().Entries ?? []).Where(e => e.Status == ModelStatus.Isolated)
            .GroupBy(e => e.Kind).Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("kind", g.Key.ToString().ToLowerInvariant()))),
            description: "models isolated in the registry as this gateway applies it, by kind (detector, target)");
    }

    /// <summary>The registry as applied, read at each scrape.</summary>
    public static void ObserveRegistry(Func<ModelControls> registry) => s_registry = registry;

    /// <summary>The detector models to report, read at each scrape.</summary>
    public static void ObserveModels(Func<IEnumerable<(string Detector, string Model, string Version, string Status)>> models)
        => s_models = () => models().Select(m => new Measurement<int>(1, new TagList { { "detector", m.Detector }, { "model", m.Model }, { "version", m.Version }, { "status", m.Status } }));

    public static void Screened(string tenant, Verdict verdict, IReadOnlyList<DetectorRun> detectors, TimeSpan elapsed)
    {
        var verdictName = VerdictName(verdict);
        Decisions.Add(1, new TagList { { "verdict", verdictName }, { "tenant", tenant } });
        Duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("verdict", verdictName));
        foreach (var run in detectors)
        {
            DetectorRuns.Add(1, new TagList { { "detector", run.Detector }, { "status", StatusName(run.Status) } });
            if (run.Status is DetectorStatus.Ran or DetectorStatus.Shadow)
            {
                DetectorDuration.Record(run.Seconds, new KeyValuePair<string, object?>("detector", run.Detector));
            }
        }
    }

    public static void IsolationRuleActed(string model, string mode) => IsolationRuleActions.Add(1, new TagList { { "model", model }, { "mode", mode } });

    /// <summary>The names the wire and the audit log use (ALLOW, SKIPPED_ISOLATED...), so labels match records.</summary>
    private static string VerdictName(Verdict verdict) => ScreenAuditRecords.WireName(ScreenService.ToWire(verdict));

    private static string StatusName(DetectorStatus status) => ScreenAuditRecords.WireName(ScreenService.ToWire(status));
}
