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
        Connection = RedisConnection.Connect(Server.Endpoint, 1000);
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
        Connection = RedisConnection.Connect(Cluster.Configuration, 1000);
        await RedisFixture.Connected(Connection);
    }

    public async Task DisposeAsync()
    {
        Connection.Dispose();
        await Cluster.DisposeAsync();
    }
}
