using Guardrail.State.Redis.Workers;
using Guardrail.State.Workers;
using Guardrail.Tests.Shared;

namespace Guardrail.State.Tests;

/// <summary>What every worker membership must do. Subclassed per backend; each test uses fresh
/// worker ids, so a directory can be shared between tests.</summary>
public abstract class WorkerDirectoryContract
{
    /// <summary>Long enough for a real Redis round trip to be negligible, short enough for a test.
    /// (At 600 ms a busy 2-core machine delayed the kept heartbeat past its 240 ms of slack.)</summary>
    protected static readonly TimeSpan Ttl = TimeSpan.FromMilliseconds(1200);

    protected abstract IWorkerDirectory Directory { get; }

    /// <summary>Lets time pass: fake time in memory, real time against Redis (whose own clock expires keys).</summary>
    protected abstract Task PassAsync(TimeSpan time);

    private static WorkerRegistration Worker(string id, string address = "10.0.0.7:50061")
        => new(id, address, [new WorkerModelInfo("injection-classifier", "guardrail-injection-classifier", "1.0.0")], 2048);

    private async Task<WorkerRegistration?> Listed(string id) => (await Directory.ListAsync()).SingleOrDefault(w => w.Id == id);

    [Fact]
    public async Task A_heartbeat_lists_the_worker_with_its_address_models_and_capacity()
    {
        var id = "w-" + Guid.NewGuid().ToString("N")[..8];
        await Directory.HeartbeatAsync(Worker(id), Ttl);
        var listed = await Listed(id);
        Assert.NotNull(listed);
        Assert.Equal(("10.0.0.7:50061", 2048, "1.0.0"), (listed.Address, listed.Capacity, Assert.Single(listed.Models).Version));
    }

    [Fact]
    public async Task A_worker_without_heartbeats_drops_out_after_its_ttl_and_one_that_keeps_beating_stays()
    {
        var silent = "w-" + Guid.NewGuid().ToString("N")[..8];
        var beating = "w-" + Guid.NewGuid().ToString("N")[..8];
        await Directory.HeartbeatAsync(Worker(silent), Ttl);
        await Directory.HeartbeatAsync(Worker(beating), Ttl);
        await PassAsync(Ttl * 0.6);
        await Directory.HeartbeatAsync(Worker(beating), Ttl);
        await PassAsync(Ttl * 0.6);
        Assert.Null(await Listed(silent));
        Assert.NotNull(await Listed(beating));
    }

    [Fact]
    public async Task Leaving_removes_at_once_and_a_new_address_replaces_the_old()
    {
        var id = "w-" + Guid.NewGuid().ToString("N")[..8];
        await Directory.HeartbeatAsync(Worker(id), Ttl);
        await Directory.HeartbeatAsync(Worker(id, "10.0.0.8:50061"), Ttl);
        Assert.Equal("10.0.0.8:50061", (await Listed(id))!.Address);
        await Directory.LeaveAsync(id);
        Assert.Null(await Listed(id));
    }
}

public sealed class InMemoryWorkerDirectoryTests : WorkerDirectoryContract
{
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));

    public InMemoryWorkerDirectoryTests() => Directory = new InMemoryWorkerDirectory(_time);

    protected override IWorkerDirectory Directory { get; }

    protected override Task PassAsync(TimeSpan time)
    {
        _time.Advance(time);
        return Task.CompletedTask;
    }
}

public sealed class RedisWorkerDirectoryTests(RedisFixture redis) : WorkerDirectoryContract, IClassFixture<RedisFixture>
{
    protected override IWorkerDirectory Directory { get; } = new RedisWorkerDirectory(redis.Connection, "test redis");

    protected override Task PassAsync(TimeSpan time) => Task.Delay(time);

    [Fact]
    public async Task Expired_workers_leave_the_index_too()
    {
        var id = "w-" + Guid.NewGuid().ToString("N")[..8];
        await Directory.HeartbeatAsync(new WorkerRegistration(id, "10.0.0.9:1", [], 1), TimeSpan.FromMilliseconds(50));
        await Task.Delay(200);
        Assert.DoesNotContain(await Directory.ListAsync(), w => w.Id == id);
        Assert.Equal("0", (await redis.Server.CliAsync("SISMEMBER", "gr:{workers}:ids", id)).Trim());
    }
}

public sealed class RedisClusterWorkerDirectoryTests(RedisClusterFixture cluster) : WorkerDirectoryContract, IClassFixture<RedisClusterFixture>
{
    protected override IWorkerDirectory Directory { get; } = new RedisWorkerDirectory(cluster.Connection, "test redis cluster");

    protected override Task PassAsync(TimeSpan time) => Task.Delay(time);
}
