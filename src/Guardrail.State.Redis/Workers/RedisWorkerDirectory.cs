using Guardrail.State.Workers;
using StackExchange.Redis;

namespace Guardrail.State.Redis.Workers;

/// <summary>
/// Worker membership in Redis: one key per worker with a TTL (PX, Redis's own clock, so gateway and
/// worker clocks need not agree), plus an index set; all under the hash tag {workers}, one shard in
/// a Redis Cluster. Each operation is one Lua script call.
/// </summary>
public sealed class RedisWorkerDirectory(ConnectionMultiplexer redis, string description) : IWorkerDirectory
{
    private const string MemberPrefix = "gr:{workers}:member:";
    private static readonly RedisKey Index = "gr:{workers}:ids";
    private static readonly RedisLuaScript Heartbeat = RedisLuaScript.FromResource(typeof(RedisWorkerDirectory).Assembly, "worker_heartbeat.lua");
    private static readonly RedisLuaScript Leave = RedisLuaScript.FromResource(typeof(RedisWorkerDirectory).Assembly, "worker_leave.lua");
    private static readonly RedisLuaScript List = RedisLuaScript.FromResource(typeof(RedisWorkerDirectory).Assembly, "worker_list.lua");

    /// <summary>Connects with the project's Redis settings (see <see cref="RedisConnection"/>).</summary>
    public static RedisWorkerDirectory Connect(string configuration, int syncTimeoutMs = 1000)
        => new(RedisConnection.Connect(configuration, syncTimeoutMs), "redis " + RedisConnection.Endpoints(configuration));

    public Task HeartbeatAsync(WorkerRegistration worker, TimeSpan ttl, CancellationToken cancellationToken = default)
        => Heartbeat.EvaluateAsync(redis.GetDatabase(), [MemberPrefix + worker.Id, Index], [worker.Id, worker.ToJson(), (long)Math.Max(1, ttl.TotalMilliseconds)]);

    public Task LeaveAsync(string workerId, CancellationToken cancellationToken = default)
        => Leave.EvaluateAsync(redis.GetDatabase(), [MemberPrefix + workerId, Index], [workerId]);

    public async Task<IReadOnlyList<WorkerRegistration>> ListAsync(CancellationToken cancellationToken = default)
    {
        var result = await List.EvaluateAsync(redis.GetDatabase(), [Index], [MemberPrefix]).ConfigureAwait(false);
        return [.. ((RedisResult[])result!).Select(r => WorkerRegistration.FromJson((string)r!)).OfType<WorkerRegistration>().OrderBy(w => w.Id, StringComparer.Ordinal)];
    }

    public string Describe() => description;
}
