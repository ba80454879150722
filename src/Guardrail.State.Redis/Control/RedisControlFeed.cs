using System.Globalization;
using Guardrail.State.Control;
using StackExchange.Redis;

namespace Guardrail.State.Redis.Control;

/// <summary>
/// The cluster's control-plane notices through Redis. The control-plane grain announces each write
/// it has persisted: in one MULTI/EXEC it publishes the model registry (a hash under the
/// {control} hash tag, rewritten whole: it is small) with its revision, and sends "table id
/// revision" on <see cref="Channel"/>, model records followed by their JSON. Gateways (silos) and
/// detector workers subscribe; workers, which are not silos, also read the published registry
/// here at their reconcile. The store of record is the grain: this holds no tenant or key.
/// </summary>
public sealed class RedisControlFeed(IConnectionMultiplexer redis, int timeoutMs) : IControlSource, IControlAnnouncer
{
    public const string Channel = "gr:control:changes";
    private static readonly RedisKey Models = "gr:{control}:models";
    private static readonly RedisKey Revision = "gr:{control}:rev";
    private readonly RedisCallGuard _guard = new(TimeSpan.FromMilliseconds(timeoutMs), ControlPlaneOptions.Section + ":TimeoutMs");

    public event Action<ControlChange>? Changed;

    /// <summary>Connects without waiting for Redis (<see cref="RedisConnection"/>).</summary>
    public static RedisControlFeed Connect(string configuration, int timeoutMs)
        => new(RedisConnection.Connect(configuration, Math.Max(1000, timeoutMs * 4)), timeoutMs);

    public async Task AnnounceAsync(ControlChange change, IReadOnlyDictionary<string, string> models, CancellationToken cancellationToken)
    {
        var published = redis.GetDatabase().CreateTransaction();
        Task[] queued =
        [
            published.KeyDeleteAsync(Models),
            .. models.Count > 0 ? [published.HashSetAsync(Models, [.. models.Select(m => new HashEntry(m.Key, m.Value))])] : Array.Empty<Task>(),
            published.StringSetAsync(Revision, change.Revision),
            published.PublishAsync(RedisChannel.Literal(Channel), Message(change)),
        ];
        foreach (var task in queued)
        {
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }

        await _guard.RunAsync(published.ExecuteAsync(), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<string?> GetAsync(ControlTable table, string id, CancellationToken cancellationToken = default)
        => await _guard.RunAsync(redis.GetDatabase().HashGetAsync(Published(table), id), cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyDictionary<string, string>> ListAsync(ControlTable table, CancellationToken cancellationToken = default)
    {
        var entries = await _guard.RunAsync(redis.GetDatabase().HashGetAllAsync(Published(table)), cancellationToken).ConfigureAwait(false);
        return entries.ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal);
    }

    public async ValueTask<long> RevisionAsync(CancellationToken cancellationToken = default)
    {
        var value = await _guard.RunAsync(redis.GetDatabase().StringGetAsync(Revision), cancellationToken).ConfigureAwait(false);
        return value.IsNull ? 0 : (long)value;
    }

    public Task SubscribeAsync() => _guard.RunAsync(redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(Channel), (_, message) => OnMessage(message)), CancellationToken.None);

    public string Describe() => "redis " + string.Join(", ", redis.GetEndPoints().Select(e => e.ToString()));

    private static RedisKey Published(ControlTable table) => table == ControlTable.Models
        ? Models
        : throw new InvalidOperationException($"only the model registry is published to Redis; {table} are read from the control-plane grain");

    private static string Message(ControlChange change)
    {
        var message = $"{Name(change.Table)} {change.Id} {change.Revision.ToString(CultureInfo.InvariantCulture)}";
        return change.Value is null ? message : message + " " + change.Value;
    }

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
