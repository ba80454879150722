using Guardrail.Grains;
using Microsoft.Extensions.Hosting;

namespace Guardrail.State.Tests;

/// <summary>
/// The store contract on the grains of a real three-silo cluster clustered through a real
/// redis-server, the grains writing their state there; each call goes through the next silo, so
/// every turn of a tenant meets its one activation from all three. A cluster per test (the rules'
/// options are silo configuration), under its own cluster id in the shared Redis.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class RedisSiloClusterStateStoreTests(RedisFixture redis) : SiloClusterContract, IClassFixture<RedisFixture>
{
    protected override string Redis => redis.Server.Endpoint;
}

/// <summary>The same, clustered through and storing in a real three-master Redis Cluster.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class RedisClusterSiloStateStoreTests(RedisClusterFixture redis) : SiloClusterContract, IClassFixture<RedisClusterFixture>
{
    protected override string Redis => redis.Cluster.Configuration;
}

public abstract class SiloClusterContract : StateStoreContract, IAsyncLifetime
{
    private SiloCluster? _cluster;

    protected abstract string Redis { get; }

    protected override IScreeningStateStore Create(StateOptions options, TimeProvider time)
    {
        Assert.Null(_cluster); // one store per test
        _cluster = Task.Run(() => SiloCluster.StartAsync(Redis, options)).GetAwaiter().GetResult();
        return new RoundRobinStateStore(_cluster.Hosts.Select(h => (IScreeningStateStore)new GrainStateStore(SiloCluster.Grains(h), options, time)).ToList());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
