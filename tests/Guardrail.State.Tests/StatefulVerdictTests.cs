using Guardrail.Core.Policy;
using Guardrail.Core.Screening;

namespace Guardrail.State.Tests;

public sealed class StatefulVerdictTests
{
    private static readonly TenantPolicy Policy = TenantPolicy.From(new PolicyOptions());
    private static readonly ScreenInput Input = new(Channel.UserPrompt, "some prompt text", [], []);

    private static ScreenOutcome Scored(float injection)
        => VerdictEngine.Decide(Input, [new Finding("injection-rules", DetectorCategory.Injection, "rule", injection, 0, 4)], [], [], Policy);

    private static TurnOutcome State(bool anomalous = false, SessionLevel level = SessionLevel.None, bool fallback = false)
        => new(ThrottleKind.None, 0, 0.5, level, 0, anomalous, anomalous ? 6 : 0, 10, 1000, fallback);

    [Fact]
    public void An_anomalous_tenant_is_judged_by_tightened_thresholds()
    {
        var outcome = Scored(0.45f);
        Assert.Equal(Verdict.Allow, StatefulVerdict.Apply(Input, outcome, State(), Policy, new AnomalyOptions()).Verdict);
        var tightened = StatefulVerdict.Apply(Input, outcome, State(anomalous: true), Policy, new AnomalyOptions());
        Assert.Equal(Verdict.Flag, tightened.Verdict); // 0.45 ≥ 0.5 - 0.1
        Assert.Contains(tightened.Reasons, r => r.Contains("anomaly alarm raised (z 6.0)", StringComparison.Ordinal));
        Assert.Equal(Verdict.Block, StatefulVerdict.Apply(Input, Scored(0.75f), State(anomalous: true), Policy, new AnomalyOptions()).Verdict); // 0.75 ≥ 0.8 - 0.1
    }

    [Fact]
    public void Session_levels_raise_the_verdict_and_never_lower_it()
    {
        Assert.Equal(Verdict.Flag, StatefulVerdict.Apply(Input, Scored(0), State(level: SessionLevel.Flag), Policy, new AnomalyOptions()).Verdict);
        Assert.Equal(Verdict.Block, StatefulVerdict.Apply(Input, Scored(0), State(level: SessionLevel.Block), Policy, new AnomalyOptions()).Verdict);
        Assert.Equal(Verdict.Block, StatefulVerdict.Apply(Input, Scored(0.9f), State(level: SessionLevel.Flag), Policy, new AnomalyOptions()).Verdict);
    }

    [Fact]
    public void The_turn_counts_risk_categories_only_and_all_characters()
    {
        var input = new ScreenInput(Channel.ModelOutput, "12345", [new DocumentInput("d", "s", "1234567890")], []);
        var outcome = VerdictEngine.Decide(input,
            [new Finding("pii", DetectorCategory.Pii, "EMAIL", 0.95f, 0, 1), new Finding("smuggling", DetectorCategory.Smuggling, "tags", 0.6f, 0, 1)], [], [], Policy);
        var turn = StatefulVerdict.Turn("t", "", 1, input, outcome, new SessionRiskOptions());
        Assert.Equal((15L, 0.6, 0.5, (string?)null), (turn.Chars, Math.Round(turn.RiskScore, 3), turn.ChannelWeight, turn.SessionId));
    }
}

public sealed class StateMetricsTests
{
    [Fact]
    public async Task Throttles_fallbacks_and_the_anomaly_alarm_reach_the_meter()
    {
        var seen = new List<(string Instrument, long Value, string Tags)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StateMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Add(System.Diagnostics.Metrics.Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            lock (seen)
            {
                seen.Add((instrument.Name, value, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"))));
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
        listener.Start();

        var tenant = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        var store = new FailoverStateStore(new InMemoryStateStore(new StateOptions { Quota = new QuotaOptions { Burst = 1, RequestsPerSecond = 1 } }), new InMemoryStateStore(new StateOptions()));
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await store.RecordTurnAsync(new ScreeningTurn(tenant, null, now, 1, 1, 0, false), failClosed: false);
        await store.RecordTurnAsync(new ScreeningTurn(tenant, null, now, 1, 1, 0, false), failClosed: false);
        StateMetrics.Record(tenant, new TurnOutcome(ThrottleKind.None, 0, 0, SessionLevel.None, 0, true, 5, 1, 1, Fallback: true));
        listener.RecordObservableInstruments();

        lock (seen)
        {
            Assert.Contains(("guardrail.quota.throttles", 1L, "kind=rate"), seen);
            Assert.Contains(seen, m => m.Instrument == "guardrail.state.fallback_turns");
            Assert.Contains(("guardrail.tenant.anomalous", 1L, $"tenant={tenant}"), seen);
        }
    }
}
