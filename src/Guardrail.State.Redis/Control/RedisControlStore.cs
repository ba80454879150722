using System.Globalization;
using Guardrail.State.Control;
using StackExchange.Redis;

namespace Guardrail.State.Redis.Control;

/// <summary>
/// The control plane in Redis: one hash per table and a revision counter, all under the
/// {control} hash tag so that a compare-and-set, the revision bump and the PUBLISH are one Lua
/// call on one Redis Cluster shard. The data is small (models, tenants, keys) and written rarely;
/// gateways read it through their caches, never per Screen call. Changes are announced on the
/// channel <see cref="Channel"/> as "table id revision", model records followed by their JSON.
/// </summary>
public sealed class RedisControlStore(IConnectionMultiplexer redis, int timeoutMs) : IControlStore
{
    public const string Channel = "gr:control:changes";
    private static readonly RedisLuaScript Put = RedisLuaScript.FromResource(typeof(RedisControlStore).Assembly, "control_put.lua");
    private static readonly RedisKey Revision = "gr:{control}:rev";
    private readonly RedisCallGuard _guard = new(TimeSpan.FromMilliseconds(timeoutMs), "Guardrail:ControlPlane:TimeoutMs");

    public event Action<ControlChange>? Changed;

    /// <summary>Connects without waiting for Redis (<see cref="RedisConnection"/>).</summary>
    public static RedisControlStore Connect(string configuration, int timeoutMs)
        => new(RedisConnection.Connect(configuration, Math.Max(1000, timeoutMs * 4)), timeoutMs);

    private static RedisKey Table(ControlTable table) => table switch
    {
        ControlTable.Models => "gr:{control}:models",
        ControlTable.Tenants => "gr:{control}:tenants",
        _ => "gr:{control}:keys",
    };

    public async ValueTask<string?> GetAsync(ControlTable table, string id, CancellationToken cancellationToken = default)
        => await _guard.RunAsync(redis.GetDatabase().HashGetAsync(Table(table), id), cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyDictionary<string, string>> ListAsync(ControlTable table, CancellationToken cancellationToken = default)
    {
        var entries = await _guard.RunAsync(redis.GetDatabase().HashGetAllAsync(Table(table)), cancellationToken).ConfigureAwait(false);
        return entries.ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal);
    }

    public async ValueTask<ControlWrite> PutAsync(ControlTable table, string id, string? expected, string value, CancellationToken cancellationToken = default)
    {
        RedisValue[] args = [id, expected is null ? "0" : "1", expected ?? string.Empty, value, Channel, Name(table), table == ControlTable.Models ? "1" : "0"];
        var result = (RedisResult[])(await _guard.RunAsync(Put.EvaluateAsync(redis.GetDatabase(), [Table(table), Revision], args), cancellationToken).ConfigureAwait(false))!;
        var revision = long.Parse((string)result[2]!, CultureInfo.InvariantCulture);
        return (string)result[0]! == "1"
            ? new ControlWrite(true, value, revision)
            : new ControlWrite(false, (string)result[3]! == "1" ? (string)result[1]! : null, revision);
    }

    public async ValueTask<long> RevisionAsync(CancellationToken cancellationToken = default)
    {
        var value = await _guard.RunAsync(redis.GetDatabase().StringGetAsync(Revision), cancellationToken).ConfigureAwait(false);
        return value.IsNull ? 0 : (long)value;
    }

    public Task SubscribeAsync() => _guard.RunAsync(redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(Channel), (_, message) => OnMessage(message)), CancellationToken.None);

    public string Describe() => "redis " + string.Join(", ", redis.GetEndPoints().Select(e => e.ToString()));

    private void OnMessage(RedisValue message)
    {
        var parts = ((string?)message ?? string.Empty).Split(' ', 4);
        if (parts.Length >= 3 && Parse(parts[0]) is { } table && long.TryParse(parts[2], CultureInfo.InvariantCulture, out var revision))
        {
            Changed?.Invoke(new ControlChange(table, parts[1], revision, parts.Length == 4 ? parts[3] : null));
        }
    }

    private static string Name(ControlTable table) => table.ToString().ToLowerInvariant();

    private static ControlTable? Parse(string name) => name switch
    {
        "models" => ControlTable.Models,
        "tenants" => ControlTable.Tenants,
        "keys" => ControlTable.Keys,
        _ => null,
    };
}
