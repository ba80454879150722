using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Guardrail.State;

/// <summary>
/// The state store's instruments (meter "Guardrail.State"), for the metrics endpoint: throttles by
/// kind, turns served from the local fallback, and how many tenants have their anomaly alarm
/// raised as last seen by this process. Tenant ids appear as tag values only on the alarm gauge.
/// </summary>
public static class StateMetrics
{
    public const string MeterName = "Guardrail.State";
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Throttles = Meter.CreateCounter<long>("guardrail.quota.throttles", description: "Screen requests answered THROTTLE, by kind (rate, daily)");
    private static readonly Counter<long> Fallbacks = Meter.CreateCounter<long>("guardrail.state.fallback_turns", description: "turns served from the local fallback while the state store was unreachable");
    private static readonly ConcurrentDictionary<string, bool> Anomalous = new(StringComparer.Ordinal);

    static StateMetrics()
    {
        Meter.CreateObservableGauge("guardrail.tenant.anomalous", () => Anomalous.Select(t => new Measurement<int>(t.Value ? 1 : 0, new KeyValuePair<string, object?>("tenant", t.Key))),
            description: "1 while a tenant's anomaly alarm is raised (as last seen by this process)");
    }

    public static void Record(string tenantId, TurnOutcome outcome)
    {
        if (!outcome.Admitted)
        {
            Throttles.Add(1, new KeyValuePair<string, object?>("kind", outcome.Throttle == ThrottleKind.Rate ? "rate" : "daily"));
        }

        if (outcome.Fallback)
        {
            Fallbacks.Add(1);
        }

        if (outcome.TenantAnomalous || Anomalous.ContainsKey(tenantId))
        {
            Anomalous[tenantId] = outcome.TenantAnomalous;
        }
    }
}
