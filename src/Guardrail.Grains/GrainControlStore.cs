using Guardrail.State.Control;
using Orleans;

namespace Guardrail.Grains;

/// <summary>
/// The control-plane store on the <see cref="IControlPlaneGrain"/>: reads and compare-and-set
/// writes are grain calls, each bounded by <see cref="ControlPlaneOptions.TimeoutMs"/>, and changes
/// are heard through <paramref name="feed"/> (in one process as they are announced; in a cluster,
/// the Redis channel every node and worker subscribes to).
/// </summary>
public sealed class GrainControlStore(IGrainFactory grains, IControlFeed feed, ControlPlaneOptions options, string where) : IControlStore
{
    private const string TimeoutSetting = ControlPlaneOptions.Section + ":TimeoutMs";
    private readonly TimeSpan _timeout = TimeSpan.FromMilliseconds(options.TimeoutMs);

    public event Action<ControlChange>? Changed
    {
        add => feed.Changed += value;
        remove => feed.Changed -= value;
    }

    private IControlPlaneGrain Grain => grains.GetGrain<IControlPlaneGrain>(IControlPlaneGrain.Key);

    public ValueTask<string?> GetAsync(ControlTable table, string id, CancellationToken cancellationToken = default)
        => GrainCalls.BoundedAsync(ct => Grain.Get(table, id, ct), _timeout, TimeoutSetting, cancellationToken);

    public async ValueTask<IReadOnlyDictionary<string, string>> ListAsync(ControlTable table, CancellationToken cancellationToken = default)
        => await GrainCalls.BoundedAsync(ct => Grain.List(table, ct), _timeout, TimeoutSetting, cancellationToken).ConfigureAwait(false);

    public ValueTask<ControlWrite> PutAsync(ControlTable table, string id, string? expected, string value, CancellationToken cancellationToken = default)
        => GrainCalls.BoundedAsync(ct => Grain.Put(table, id, expected, value, ct), _timeout, TimeoutSetting, cancellationToken);

    public ValueTask<long> RevisionAsync(CancellationToken cancellationToken = default)
        => GrainCalls.BoundedAsync(ct => Grain.Revision(ct), _timeout, TimeoutSetting, cancellationToken);

    public Task SubscribeAsync() => feed.SubscribeAsync();

    public string Describe() => where;
}
