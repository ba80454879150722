using Guardrail.State.Redis;
using StackExchange.Redis;

namespace Guardrail.Audit.Sinks;

/// <summary>
/// A Redis Stream per segment, <c>gr:{tenant}:audit:{environment}</c> (the tenant's hash tag keeps
/// it on the tenant's shard in Redis Cluster), each entry one field "record" holding the JSON,
/// trimmed to about <c>StreamMaxLength</c> entries (MAXLEN ~). One script call per batch. Streams
/// are listed in the set <c>gr:audit:{environment}:streams</c> so consumers (XREADGROUP) and
/// <c>guardrailctl audit</c> find every tenant's stream. Writes are durable as far as Redis's own
/// persistence (AOF) goes, so <see cref="FlushAsync"/> has nothing to do.
/// </summary>
public sealed class RedisStreamSink : IAuditSink
{
    private static readonly RedisLuaScript Append = RedisLuaScript.FromResource(typeof(RedisStreamSink).Assembly, "audit_append.lua");
    private readonly ConnectionMultiplexer _redis;
    private readonly string _endpoints;
    private readonly long _maxLength;
    private readonly HashSet<string> _listed = new(StringComparer.Ordinal);

    public RedisStreamSink(string configuration, long maxLength)
    {
        _redis = RedisConnection.Connect(configuration, syncTimeoutMs: 1000); // a failed batch is retried
        _endpoints = RedisConnection.Endpoints(configuration);
        _maxLength = maxLength;
    }

    public static string StreamKey(AuditSegment segment) => $"gr:{{{segment.Tenant}}}:audit:{segment.Environment}";

    public static string StreamSetKey(string environment) => $"gr:audit:{environment}:streams";

    public string Describe() => $"Redis Streams gr:{{tenant}}:audit:{{environment}} at {_endpoints}";

    public async Task WriteAsync(AuditSegment segment, IReadOnlyList<byte[]> lines, CancellationToken cancellationToken)
    {
        var db = _redis.GetDatabase();
        var key = StreamKey(segment);
        if (!_listed.Contains(key))
        {
            await db.SetAddAsync(StreamSetKey(segment.Environment), key).ConfigureAwait(false);
            _listed.Add(key);
        }

        var args = new RedisValue[lines.Count + 1];
        args[0] = _maxLength;
        for (var i = 0; i < lines.Count; i++)
        {
            args[i + 1] = lines[i].AsMemory(0, lines[i].Length - 1).ToArray(); // the stream entry has no newline
        }

        await Append.EvaluateAsync(db, [key], args).ConfigureAwait(false);
    }

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _redis.Close();
        _redis.Dispose();
        return ValueTask.CompletedTask;
    }
}
