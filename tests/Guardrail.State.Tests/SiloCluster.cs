using Guardrail.Grains;
using Guardrail.State.Control;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;

namespace Guardrail.State.Tests;

/// <summary>
/// A real cluster of silos configured as the gateway configures its own (GuardrailSilo), each a
/// host with its own TCP port, clustered through a real Redis (or Redis Cluster) and writing grain
/// state there. In one test process, so a contract test can drive the grains through each silo.
/// </summary>
public sealed class SiloCluster : IAsyncDisposable
{
    private readonly List<IHost> _hosts = [];

    private SiloCluster(string clusterId, string redis, StateOptions state)
        => (ClusterId, Redis, State) = (clusterId, redis, state);

    public string ClusterId { get; }

    public string Redis { get; }

    public StateOptions State { get; }

    public IReadOnlyList<IHost> Hosts => _hosts;

    /// <summary>Starts <paramref name="silos"/> silos and waits until each sees all of them active.</summary>
    public static async Task<SiloCluster> StartAsync(string redis, StateOptions state, int silos = 3, string? clusterId = null)
    {
        state.Store = "redis";
        state.Redis = redis;
        var cluster = new SiloCluster(clusterId ?? "test-" + Guid.NewGuid().ToString("N")[..10], redis, state);
        await Task.WhenAll(Enumerable.Range(0, silos).Select(_ => cluster.AddSiloAsync()));
        await cluster.ConvergedAsync(silos);
        await cluster.WarmAsync();
        return cluster;
    }

    /// <summary>
    /// A few turns through every silo with a generous bound, as a gateway's first calls are: the
    /// first activation on a fresh silo pays for JIT and for opening its storage connection (it
    /// took over 250 ms on 2 busy cores), which is not what the tests after it measure.
    /// </summary>
    private async Task WarmAsync()
    {
        var patient = new StateOptions { TimeoutMs = 10_000, Quota = State.Quota, Session = State.Session };
        foreach (var host in _hosts.ToList())
        {
            var store = new GrainStateStore(Grains(host), patient);
            for (var i = 0; i < 2 * _hosts.Count; i++) // tenants placed on every silo, reached locally and remotely
            {
                await store.RecordTurnAsync(new ScreeningTurn("warm-" + i, "warm", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1, 1, 0, false));
            }

            // The control-plane grain too, read and written: its storage opens its own connection
            // on first use, and the first write (state to Redis, the notice on the channel) took
            // over 1 s on a fresh CI cluster after a read had already been warmed.
            var control = ControlStore(host, new ControlPlaneOptions { TimeoutMs = 10_000 });
            await control.RevisionAsync();
            await control.PutAsync(ControlTable.Keys, "warm-" + Guid.NewGuid().ToString("N")[..8], null, "{}");
        }
    }

    public async Task<IHost> AddSiloAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.AddGuardrailSilo(new SiloOptions { ClusterId = ClusterId, WriteBehindMs = 50 }, State);
        var host = builder.Build();
        lock (_hosts)
        {
            _hosts.Add(host);
        }

        await host.StartAsync();
        return host;
    }

    public static IGrainFactory Grains(IHost host) => host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The control-plane store as the gateway on this silo has it (with its options, unless given others).</summary>
    public static GrainControlStore ControlStore(IHost host, ControlPlaneOptions? options = null)
        => new(Grains(host), host.Services.GetRequiredService<IControlFeed>(), options ?? host.Services.GetRequiredService<ControlPlaneOptions>(), "silo " + host.GetHashCode());

    /// <summary>Until every running silo sees <paramref name="active"/> active silos.</summary>
    public async Task ConvergedAsync(int active)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_hosts.Any(h => h.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active) != active))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the silos did not all see {active} active silos within 30 s");
            await Task.Delay(50);
        }
    }

    /// <summary>Stops one silo: gracefully (its grains write their state and move), or not at all
    /// (as a crash: what it had not written is lost, and the others must declare it dead).</summary>
    public async Task StopSiloAsync(IHost host, bool graceful)
    {
        lock (_hosts)
        {
            _hosts.Remove(host);
        }

        await host.StopAsync(graceful ? CancellationToken.None : new CancellationToken(canceled: true));
        host.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts.ToList())
        {
            await StopSiloAsync(host, graceful: false);
        }
    }
}

/// <summary>A store that sends each call through the next silo in turn, so a tenant's grains are
/// reached from every silo of the cluster, as Screen calls spread over the gateways reach them.</summary>
internal sealed class RoundRobinStateStore(IReadOnlyList<IScreeningStateStore> stores) : IScreeningStateStore
{
    private int _next;

    private IScreeningStateStore Next => stores[(int)((uint)Interlocked.Increment(ref _next) % stores.Count)];

    public ValueTask<TurnOutcome> RecordTurnAsync(ScreeningTurn turn, CancellationToken cancellationToken = default) => Next.RecordTurnAsync(turn, cancellationToken);

    public ValueTask<TenantSnapshot> GetTenantAsync(string tenantId, CancellationToken cancellationToken = default) => Next.GetTenantAsync(tenantId, cancellationToken);

    public ValueTask<SessionSnapshot?> GetSessionAsync(string tenantId, string sessionId, CancellationToken cancellationToken = default) => Next.GetSessionAsync(tenantId, sessionId, cancellationToken);

    public ValueTask ResetSessionAsync(string tenantId, string sessionId, CancellationToken cancellationToken = default) => Next.ResetSessionAsync(tenantId, sessionId, cancellationToken);
}
