using Guardrail.State.Redis;
using Guardrail.Tests.Shared;
using StackExchange.Redis;

namespace Guardrail.State.Tests;

/// <summary>A real redis-server for the Redis test classes, started once per class.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RedisServer.StartAsync();
        Connection = RedisStateStore.Connect(new StateOptions { Redis = Server.Endpoint });
        await Connected(Connection);
    }

    /// <summary>The multiplexer connects in the background; a busy machine can take a few seconds.</summary>
    internal static async Task Connected(ConnectionMultiplexer connection)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!connection.IsConnected || connection.GetEndPoints().Any(e => !connection.GetServer(e).IsConnected))
        {
            Assert.True(DateTime.UtcNow < deadline, "Redis did not accept the connection within 30 s: " + connection.GetStatus());
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        Connection.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>A real three-master Redis Cluster for the cluster test class.</summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    public RedisCluster Cluster { get; private set; } = null!;

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await RedisCluster.StartAsync();
        Connection = RedisStateStore.Connect(new StateOptions { Redis = Cluster.Configuration });
        await RedisFixture.Connected(Connection);
    }

    public async Task DisposeAsync()
    {
        Connection.Dispose();
        await Cluster.DisposeAsync();
    }
}

public sealed class RedisStateStoreTests(RedisFixture redis) : StateStoreContract, IClassFixture<RedisFixture>
{
    protected override IScreeningStateStore Create(StateOptions options, TimeProvider time) => new RedisStateStore(redis.Connection, options, time);

    private static ScreeningTurn Turn(string tenant, string? session = "s") => new(tenant, session, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 100, 1, 0.5, false);

    [Fact]
    public async Task Each_turn_is_one_round_trip_one_evalsha()
    {
        var store = new RedisStateStore(redis.Connection, new StateOptions());
        await store.RecordTurnAsync(Turn("round-trips")); // loads the script if this server lacks it
        await redis.Server.CliAsync("CONFIG", "RESETSTAT");
        for (var i = 0; i < 50; i++)
        {
            await store.RecordTurnAsync(Turn("round-trips"));
        }

        var stats = (await redis.Server.CliAsync("INFO", "commandstats")).Split('\n').Where(l => l.StartsWith("cmdstat_", StringComparison.Ordinal)).ToList();
        var calls = stats.ToDictionary(l => l[8..l.IndexOf(':')], l => int.Parse(l.Split("calls=")[1].Split(',')[0]));
        // Our own INFO and CONFIG RESETSTAT, and the multiplexer's housekeeping (keep-alive, and the
        // handshake should it reconnect): none of it is per request.
        foreach (var housekeeping in new[] { "info", "config|resetstat", "config|get", "ping", "echo", "client|setname", "subscribe", "cluster|nodes", "time" })
        {
            calls.Remove(housekeeping);
        }
        Assert.Equal(50, calls["evalsha"]);

        // commandstats also counts the commands the script runs inside Redis: two reads, two writes
        // and two TTLs per turn, and nothing else reached the server.
        Assert.Equal(new Dictionary<string, int> { ["evalsha"] = 50, ["hmget"] = 100, ["hset"] = 100, ["pexpire"] = 100 }, calls);
    }

    [Fact]
    public async Task A_flushed_script_is_reloaded_once_and_the_turn_still_counts()
    {
        var store = new RedisStateStore(redis.Connection, new StateOptions());
        await store.RecordTurnAsync(Turn("flush"));
        await redis.Server.CliAsync("SCRIPT", "FLUSH");
        var reloads = RedisStateStore.ScriptReloads;
        var outcome = await store.RecordTurnAsync(Turn("flush"));
        Assert.Equal(0.6, outcome.SessionRisk, 2); // two turns of 0.3, the second after the reload
        Assert.Equal(reloads + 1, RedisStateStore.ScriptReloads);
    }

    [Fact]
    public async Task Every_key_is_hash_tagged_by_tenant_and_expires()
    {
        var store = new RedisStateStore(redis.Connection, new StateOptions());
        await store.RecordTurnAsync(Turn("ttl-tenant", "session-1"));
        var keys = (await redis.Server.CliAsync("--scan", "--pattern", "*ttl-tenant*")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["gr:{ttl-tenant}:s:session-1", "gr:{ttl-tenant}:t"], keys.Order().ToArray());
        foreach (var key in keys)
        {
            var ttl = long.Parse((await redis.Server.CliAsync("PTTL", key)).Trim());
            Assert.InRange(ttl, 1, 172_800_000);
        }
    }
}

public sealed class RedisClusterStateStoreTests(RedisClusterFixture redis) : StateStoreContract, IClassFixture<RedisClusterFixture>
{
    protected override IScreeningStateStore Create(StateOptions options, TimeProvider time) => new RedisStateStore(redis.Connection, options, time);

    [Fact]
    public async Task Tenants_spread_over_the_masters_and_each_tenant_lives_on_one()
    {
        var store = new RedisStateStore(redis.Connection, new StateOptions());
        var tenants = Enumerable.Range(0, 12).Select(i => $"spread-{i}").ToList();
        foreach (var tenant in tenants)
        {
            await store.RecordTurnAsync(new ScreeningTurn(tenant, "s", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 10, 1, 0.5, false));
        }

        var holders = new Dictionary<string, HashSet<int>>();
        foreach (var node in redis.Cluster.Nodes)
        {
            foreach (var key in (await node.CliAsync("--scan", "--pattern", "gr:{spread-*")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var tenant = key[4..key.IndexOf('}')];
                (holders.TryGetValue(tenant, out var set) ? set : holders[tenant] = []).Add(node.Port);
            }
        }

        Assert.Equal(tenants.Order(), holders.Keys.Order());
        Assert.All(holders.Values, nodes => Assert.Single(nodes));
        Assert.True(holders.Values.Select(n => n.Single()).Distinct().Count() >= 2, "12 tenants all landed on one master");
    }
}
