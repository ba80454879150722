using Guardrail.Tests.Shared;

namespace Guardrail.State.Tests;

/// <summary>
/// What every state store must do, on fake time. Subclassed per store (in memory, Redis, Redis
/// Cluster); each test uses fresh tenant ids, so stores can be shared between tests.
/// </summary>
public abstract class StateStoreContract
{
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 11, 21, 23, 0, 0, TimeSpan.Zero));

    protected abstract IScreeningStateStore Create(StateOptions options, TimeProvider time);

    private static string NewTenant() => "t-" + Guid.NewGuid().ToString("N")[..12];

    private IScreeningStateStore Store(Action<StateOptions>? configure = null)
    {
        var options = new StateOptions();
        configure?.Invoke(options);
        Assert.Empty(options.Validate());
        return Create(options, _time);
    }

    private Task<TurnOutcome> Turn(IScreeningStateStore store, string tenant, string? session = null, long chars = 100, double score = 0, double weight = 1, bool flagged = false)
        => store.RecordTurnAsync(new ScreeningTurn(tenant, session, _time.NowMs, chars, weight, score, flagged)).AsTask();

    [Fact]
    public async Task Bucket_admits_the_burst_then_refills_at_its_rate()
    {
        var store = Store(o => o.Quota = new QuotaOptions { Burst = 5, RequestsPerSecond = 10 });
        var tenant = NewTenant();
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await Turn(store, tenant)).Admitted);
        }

        var throttled = await Turn(store, tenant);
        Assert.Equal((ThrottleKind.Rate, 100L), (throttled.Throttle, throttled.RetryAfterMs));
        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False((await Turn(store, tenant)).Admitted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True((await Turn(store, tenant)).Admitted);
        Assert.False((await Turn(store, tenant)).Admitted);
        _time.Advance(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await Turn(store, tenant)).Admitted); // refilled to the burst, not beyond
        }

        Assert.False((await Turn(store, tenant)).Admitted);
    }

    [Fact]
    public async Task Daily_budget_throttles_until_the_next_utc_day()
    {
        var store = Store(o => o.Quota = new QuotaOptions { DailyChars = 1000 });
        var tenant = NewTenant();
        Assert.True((await Turn(store, tenant, chars: 400)).Admitted);
        Assert.True((await Turn(store, tenant, chars: 400)).Admitted);
        var throttled = await Turn(store, tenant, chars: 400);
        Assert.Equal((ThrottleKind.Daily, (long)TimeSpan.FromHours(1).TotalMilliseconds), (throttled.Throttle, throttled.RetryAfterMs));
        Assert.True((await Turn(store, tenant, chars: 200)).Admitted); // what fits still fits
        _time.Advance(TimeSpan.FromHours(1));
        var nextDay = await Turn(store, tenant, chars: 400);
        Assert.True(nextDay.Admitted);
        Assert.Equal(600, nextDay.DailyCharsLeft, 6);
    }

    [Fact]
    public async Task A_risky_session_burns_its_tenants_budget_faster()
    {
        var store = Store(o => o.Quota = new QuotaOptions { DailyChars = 100_000, RiskCostFactor = 1 });
        var tenant = NewTenant();
        var calm = await Turn(store, tenant, "calm", chars: 100);
        Assert.Equal(100_000 - 100, calm.DailyCharsLeft, 6);
        var attack = await Turn(store, tenant, "risky", chars: 100, score: 1.0); // risk 0 before: costs 100, leaves risk 0.8
        Assert.Equal(0.8, attack.SessionRisk, 6);
        var after = await Turn(store, tenant, "risky", chars: 100);
        Assert.Equal(attack.DailyCharsLeft - 180, after.DailyCharsLeft, 6);
        Assert.Equal(attack.TokensLeft - 1.8, after.TokensLeft, 6);
    }

    [Fact]
    public async Task Session_risk_halves_every_half_life_and_weighs_channels()
    {
        var store = Store();
        var tenant = NewTenant();
        Assert.Equal(0.8, (await Turn(store, tenant, "s", score: 1.0)).SessionRisk, 6);
        _time.Advance(TimeSpan.FromSeconds(600));
        Assert.Equal(0.4, (await Turn(store, tenant, "s", score: 0.1)).SessionRisk, 6); // below the floor: adds nothing
        Assert.Equal(0.4, (await Turn(store, tenant, "model-output", score: 1.0, weight: 0.5)).SessionRisk, 6);
        Assert.Equal(0, (await Turn(store, tenant, null, score: 1.0)).SessionRisk); // no session, no session risk
    }

    [Fact]
    public async Task Repeated_near_misses_escalate_to_flag_then_block_and_lock()
    {
        var store = Store();
        var tenant = NewTenant();
        var levels = new List<SessionLevel>();
        for (var i = 0; i < 9; i++)
        {
            // 0.45 stays under every category's flag threshold (0.5), yet each turn adds about 0.25.
            var outcome = await Turn(store, tenant, "prober", score: 0.45);
            levels.Add(outcome.SessionLevel);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(levels.Order(), levels); // never de-escalates while probing
        Assert.Equal(SessionLevel.None, levels[2]);
        Assert.Equal(SessionLevel.Flag, levels[4]);
        Assert.Equal(SessionLevel.Block, levels[8]);
        var locked = await Turn(store, tenant, "prober");
        Assert.Equal(SessionLevel.Block, locked.SessionLevel);
        Assert.True(locked.LockedUntilMs > _time.NowMs);
        _time.Advance(TimeSpan.FromSeconds(290));
        Assert.Equal(SessionLevel.Block, (await Turn(store, tenant, "prober")).SessionLevel); // risk decayed below 2, still locked
        _time.Advance(TimeSpan.FromSeconds(20));
        var cooled = await Turn(store, tenant, "prober");
        Assert.Equal(SessionLevel.Flag, cooled.SessionLevel);
        Assert.InRange(cooled.SessionRisk, 1.0, 2.0);
        Assert.Equal(SessionLevel.None, (await Turn(store, tenant, "bystander", score: 0.45)).SessionLevel);
    }

    [Fact]
    public async Task Sessions_expire_after_inactivity_and_can_be_reset()
    {
        var store = Store();
        var tenant = NewTenant();
        await Turn(store, tenant, "idle", score: 1.0);
        await Turn(store, tenant, "reset-me", score: 1.0);
        Assert.Equal(0.8, (await store.GetSessionAsync(tenant, "idle"))!.Risk, 6);
        await store.ResetSessionAsync(tenant, "reset-me");
        Assert.Null(await store.GetSessionAsync(tenant, "reset-me"));
        Assert.Equal(0.3, (await Turn(store, tenant, "reset-me", score: 0.5)).SessionRisk, 6);
        _time.Advance(TimeSpan.FromSeconds(1800));
        Assert.Null(await store.GetSessionAsync(tenant, "idle"));
        Assert.Equal(0.3, (await Turn(store, tenant, "idle", score: 0.5)).SessionRisk, 6); // starts afresh, not decayed 0.8 + 0.3
    }

    [Fact]
    public async Task Throttled_turns_change_no_session_and_no_budget()
    {
        var store = Store(o => o.Quota = new QuotaOptions { Burst = 1, RequestsPerSecond = 1 });
        var tenant = NewTenant();
        var first = await Turn(store, tenant, "s", score: 0.5);
        var throttled = await Turn(store, tenant, "s", chars: 5000, score: 1.0);
        Assert.False(throttled.Admitted);
        Assert.Equal(first.SessionRisk, throttled.SessionRisk, 6);
        Assert.Equal(first.DailyCharsLeft, throttled.DailyCharsLeft, 6);
        Assert.Equal(0.3, (await store.GetSessionAsync(tenant, "s"))!.Risk, 6);
    }

    [Fact]
    public async Task A_request_rate_spike_raises_the_anomaly_alarm_and_the_return_to_baseline_clears_it()
    {
        var store = Store();
        var tenant = NewTenant();
        async Task Bucket(int requests, int flagged = 0, double score = 0)
        {
            for (var i = 0; i < requests; i++)
            {
                await Turn(store, tenant, score: score, flagged: i < flagged);
            }

            _time.Advance(TimeSpan.FromSeconds(10));
        }

        for (var b = 0; b < 14; b++)
        {
            await Bucket(10);
        }

        Assert.False((await Turn(store, tenant)).TenantAnomalous);
        await Bucket(9); // with the turn above: a normal bucket of 10
        await Bucket(60);
        var raised = await Turn(store, tenant);
        Assert.True(raised.TenantAnomalous);
        Assert.True(raised.AnomalyZ >= 4, $"z {raised.AnomalyZ}");
        Assert.True((await store.GetTenantAsync(tenant)).Anomalous);
        await Bucket(9);
        var cleared = await Turn(store, tenant);
        Assert.False(cleared.TenantAnomalous);
        var snapshot = await store.GetTenantAsync(tenant);
        Assert.False(snapshot.Anomalous);
        Assert.InRange(snapshot.BaselineRequestsPerBucket, 9.5, 11); // the spike barely moved the baseline
    }

    [Fact]
    public async Task A_flag_share_spike_raises_the_alarm_without_more_traffic()
    {
        var store = Store();
        var tenant = NewTenant();
        for (var b = 0; b < 13; b++)
        {
            for (var i = 0; i < 10; i++)
            {
                await Turn(store, tenant, score: 0.05);
            }

            _time.Advance(TimeSpan.FromSeconds(10));
        }

        for (var i = 0; i < 10; i++)
        {
            await Turn(store, tenant, score: 0.6, flagged: i < 4);
        }

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True((await Turn(store, tenant)).TenantAnomalous);
    }

    [Fact]
    public async Task Parallel_turns_on_one_tenant_and_session_lose_no_update()
    {
        var store = Store(o => o.Quota = new QuotaOptions { Burst = 150, RequestsPerSecond = 0.001, RiskCostFactor = 0 });
        var tenant = NewTenant();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => Task.Run(() => Turn(store, tenant, "shared", chars: 10, score: 0.3))));
        Assert.Equal(150, outcomes.Count(o => o.Admitted));
        Assert.Equal(150, outcomes.Count(o => o.Throttle == ThrottleKind.Rate));
        var snapshot = await store.GetTenantAsync(tenant);
        Assert.Equal(1500, snapshot.DailyCharsUsed, 6);
        Assert.Equal(15.0, (await store.GetSessionAsync(tenant, "shared"))!.Risk, 6);
    }

    [Fact]
    public async Task Tenants_do_not_share_quota_or_sessions()
    {
        var store = Store(o => o.Quota = new QuotaOptions { Burst = 1, RequestsPerSecond = 1 });
        var (a, b) = (NewTenant(), NewTenant());
        Assert.True((await Turn(store, a, "same-id", score: 1.0)).Admitted);
        Assert.True((await Turn(store, b, "same-id")).Admitted);
        Assert.Equal(0, (await Turn(store, b, "same-id")).SessionRisk);
        Assert.Equal(0, (await store.GetSessionAsync(b, "same-id"))!.Risk);
        Assert.Equal(0.8, (await store.GetSessionAsync(a, "same-id"))!.Risk, 6);
    }

    [Fact]
    public async Task Per_tenant_quota_overrides_the_default()
    {
        var vip = NewTenant();
        var store = Store(o =>
        {
            o.Quota = new QuotaOptions { Burst = 1, RequestsPerSecond = 1 };
            o.Tenants[vip] = new QuotaOptions { Burst = 3, RequestsPerSecond = 1 };
        });
        var results = new List<bool>();
        for (var i = 0; i < 4; i++)
        {
            results.Add((await Turn(store, vip)).Admitted);
        }

        Assert.Equal([true, true, true, false], results);
    }
}

public sealed class InMemoryStateStoreTests : StateStoreContract
{
    protected override IScreeningStateStore Create(StateOptions options, TimeProvider time) => new InMemoryStateStore(options, time);
}
