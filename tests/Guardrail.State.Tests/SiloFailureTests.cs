using System.Diagnostics;
using Guardrail.Core.Policy;
using Guardrail.Core.Registry;
using Guardrail.Grains;
using Guardrail.State.Control;
using Guardrail.State.Privacy;
using Microsoft.Extensions.Hosting;
using Orleans;
using Orleans.Runtime;

namespace Guardrail.State.Tests;

/// <summary>
/// What the grains' state survives, on real silos clustered through a real redis-server: a silo
/// that crashes (stopped without handing over) and its grains' state, Redis going away and coming
/// back. Write-behind here is 50 ms (SiloCluster).
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class SiloFailureTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static StateOptions Options() => new()
    {
        Quota = new QuotaOptions { DailyChars = 100_000 },
        Session = new SessionRiskOptions { LockSeconds = 600 },
    };

    private static ScreeningTurn Turn(string tenant, string session, double score = 0) => new(tenant, session, Now, 100, 1, score, score > 0.5);

    private static async Task<SiloAddress> HostOf(IGrainFactory grains, IAddressable grain)
        => await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grain) ?? throw new InvalidOperationException("not activated");

    [Fact]
    public async Task After_every_silo_crashes_a_new_cluster_finds_budgets_locks_and_placeholders_as_written()
    {
        var tenant = "crash-" + Guid.NewGuid().ToString("N")[..8];
        var clusterId = "crash-" + Guid.NewGuid().ToString("N")[..8];
        await using (var first = await SiloCluster.StartAsync(redis.Server.Endpoint, Options(), silos: 2, clusterId: clusterId))
        {
            var store = new GrainStateStore(SiloCluster.Grains(first.Hosts[0]), first.State);
            for (var i = 0; i < 6; i++)
            {
                Assert.True((await store.RecordTurnAsync(Turn(tenant, "quiet"))).Admitted);
            }

            await Task.Delay(500); // well past the write-behind interval: these 600 characters are written
            TurnOutcome locking;
            do
            {
                locking = await store.RecordTurnAsync(Turn(tenant, "attacker", score: 1));
            }
            while (locking.LockedUntilMs == 0);

            var placeholders = new GrainStateStore(SiloCluster.Grains(first.Hosts[1]), first.State);
            var assigned = await placeholders.AssignPlaceholdersAsync(tenant, "attacker", [new PlaceholderRequest("EMAIL", "i1", Sealed)], limit: 10, CancellationToken.None);
            Assert.Equal("[EMAIL_1]", Assert.Single(assigned));

            // No wait: the lock and the placeholder were written before they answered. Then every silo crashes.
            foreach (var host in first.Hosts.ToList())
            {
                await first.StopSiloAsync(host, graceful: false);
            }
        }

        await using var second = await SiloCluster.StartAsync(redis.Server.Endpoint, Options(), silos: 2, clusterId: clusterId);
        var again = new GrainStateStore(SiloCluster.Grains(second.Hosts[1]), second.State);
        var budget = await again.GetTenantAsync(tenant);
        Assert.InRange(budget.DailyCharsUsed, 600, 100_000);
        var session = await again.GetSessionAsync(tenant, "attacker");
        Assert.NotNull(session);
        Assert.True(session.LockedUntilMs > Now, "the lock did not survive the crash");
        Assert.Equal(SessionLevel.Block, (await again.RecordTurnAsync(Turn(tenant, "attacker"))).SessionLevel);
        var original = Assert.Single(await new GrainStateStore(SiloCluster.Grains(second.Hosts[0]), second.State).PlaceholderOriginalsAsync(tenant, "attacker", ["[EMAIL_1]"], CancellationToken.None));
        Assert.Equal(Sealed.Data, original!.Data);
    }

    private static readonly SealedValue Sealed = new("k1", [1, 2, 3], [4, 5, 6, 7]);

    [Fact]
    public async Task When_the_silo_holding_a_tenant_crashes_its_grains_serve_again_from_a_survivor_within_two_seconds()
    {
        var tenant = "failover-" + Guid.NewGuid().ToString("N")[..8];
        await using var cluster = await SiloCluster.StartAsync(redis.Server.Endpoint, Options(), silos: 3);
        var grains = cluster.Hosts.Select(SiloCluster.Grains).ToList();
        var store = new GrainStateStore(grains[0], cluster.State);
        for (var i = 0; i < 5; i++)
        {
            await store.RecordTurnAsync(Turn(tenant, "s"));
        }

        var holder = await HostOf(grains[0], grains[0].GetGrain<ITenantGrain>(tenant));
        var victim = cluster.Hosts.Single(h => h.Services.GetService(typeof(ILocalSiloDetails)) is ILocalSiloDetails local && local.SiloAddress.Equals(holder));
        var survivor = cluster.Hosts.First(h => h != victim);
        var survivorStore = new GrainStateStore(SiloCluster.Grains(survivor), cluster.State);
        await Task.Delay(300); // the five turns are written

        await cluster.StopSiloAsync(victim, graceful: false);
        var clock = Stopwatch.StartNew();
        var failures = 0;
        TurnOutcome? served = null;
        while (served is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"no answer for 10 s ({failures} failures)");
            try
            {
                served = await survivorStore.RecordTurnAsync(Turn(tenant, "s"));
            }
            catch (StateUnavailableException)
            {
                failures++; // what the gateway's fail mode then decides: never UNKNOWN
                await Task.Delay(20);
            }
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"served again after {clock.Elapsed.TotalMilliseconds:F0} ms ({failures} failed calls)");
        Assert.True(served.Admitted);
        Assert.InRange((await survivorStore.GetTenantAsync(tenant)).DailyCharsUsed, 600, 600); // five written before, this one after
        Assert.NotEqual(holder, await HostOf(SiloCluster.Grains(survivor), SiloCluster.Grains(survivor).GetGrain<ITenantGrain>(tenant)));
    }

    [Fact]
    public async Task When_the_silo_holding_the_control_plane_crashes_a_survivor_serves_every_change_it_had_answered()
    {
        await using var cluster = await SiloCluster.StartAsync(redis.Server.Endpoint, Options(), silos: 3);
        var registry = new ModelRegistry(SiloCluster.ControlStore(cluster.Hosts[0]));
        var tenants = new TenantDirectory(SiloCluster.ControlStore(cluster.Hosts[0]), new PolicyOptions());
        var target = "llm-" + Guid.NewGuid().ToString("N")[..8];
        await registry.IsolateAsync(ModelKind.Target, target, "INC", "other", "operator:x");
        var tenant = "t-" + Guid.NewGuid().ToString("N")[..8];
        await tenants.CreateAsync(tenant, null, "operator:x");

        var grains = SiloCluster.Grains(cluster.Hosts[0]);
        var holder = await HostOf(grains, grains.GetGrain<IControlPlaneGrain>(IControlPlaneGrain.Key));
        var victim = cluster.Hosts.Single(h => h.Services.GetService(typeof(ILocalSiloDetails)) is ILocalSiloDetails local && local.SiloAddress.Equals(holder));
        var survivor = cluster.Hosts.First(h => h != victim);
        await cluster.StopSiloAsync(victim, graceful: false);

        var clock = Stopwatch.StartNew();
        ModelControls? read = null;
        while (read is null)
        {
            try
            {
                read = await new ModelRegistry(SiloCluster.ControlStore(survivor)).ReadAsync();
            }
            catch (StateUnavailableException) when (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(20); // until the cluster declares the victim dead
            }
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"the control plane answered again after {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal((ModelStatus.Isolated, "other"), (read.Target(target)!.Status, read.Target(target)!.Fallback));
        Assert.NotNull(await new TenantDirectory(SiloCluster.ControlStore(survivor), new PolicyOptions()).GetAsync(tenant));
    }

    [Fact]
    public async Task With_redis_away_live_grains_keep_serving_new_ones_are_unavailable_and_all_recover_when_it_returns()
    {
        await using var server = await Guardrail.Tests.Shared.RedisServer.StartAsync(persistent: true); // it keeps the membership table over the restart
        await using var cluster = await SiloCluster.StartAsync(server.Endpoint, Options(), silos: 2);
        var store = new GrainStateStore(SiloCluster.Grains(cluster.Hosts[0]), cluster.State);
        var live = "live-" + Guid.NewGuid().ToString("N")[..8];
        await store.RecordTurnAsync(Turn(live, "s"));

        server.Kill();
        Assert.True((await store.RecordTurnAsync(Turn(live, "s"))).Admitted); // its activation holds the state
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<StateUnavailableException>(() => store.RecordTurnAsync(Turn("new-" + Guid.NewGuid().ToString("N")[..8], "s")).AsTask());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"a new tenant's failure took {clock.Elapsed.TotalMilliseconds:F0} ms");

        await server.RestartAsync();
        clock.Restart();
        var fresh = "back-" + Guid.NewGuid().ToString("N")[..8];
        while (true)
        {
            try
            {
                Assert.True((await store.RecordTurnAsync(Turn(fresh, "s"))).Admitted);
                break;
            }
            catch (StateUnavailableException) when (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(20);
            }
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"recovered {clock.Elapsed.TotalMilliseconds:F0} ms after Redis returned");
        Assert.True((await store.RecordTurnAsync(Turn(live, "s"))).Admitted);
    }

    [Fact]
    public async Task A_hung_redis_costs_a_new_grain_no_more_than_the_state_timeout()
    {
        await using var server = await Guardrail.Tests.Shared.RedisServer.StartAsync();
        await using var cluster = await SiloCluster.StartAsync(server.Endpoint, Options(), silos: 2);
        var store = new RoundRobinStateStore(cluster.Hosts.Select(h => (IScreeningStateStore)new GrainStateStore(SiloCluster.Grains(h), cluster.State)).ToList()); // local and remote calls
        var live = "live-" + Guid.NewGuid().ToString("N")[..8];
        await store.RecordTurnAsync(Turn(live, "s"));
        server.Pause(true);
        try
        {
            for (var i = 0; i < 6; i++)
            {
                var clock = Stopwatch.StartNew();
                await Assert.ThrowsAsync<StateUnavailableException>(() => store.RecordTurnAsync(Turn(live, "new-" + i)).AsTask());
                Assert.InRange(clock.ElapsedMilliseconds, 200, 600); // TimeoutMs is 250
                Assert.True((await store.RecordTurnAsync(Turn(live, "s"))).Admitted); // the live session is not held up
            }
        }
        finally
        {
            server.Pause(false);
        }
    }
}
