using System.Collections.Concurrent;
using Guardrail.Core.Registry;

namespace Guardrail.State.Control;

/// <summary>
/// The control plane as one node (gateway or worker) applies it. The model registry is held as a
/// snapshot swapped whole; tenants and API keys are cached as read. A change reaches the node by
/// the store's change feed at once (a Redis channel; in one process, as it is written), and a reconcile
/// every <c>reconcileMs</c> compares the store's revision with the one applied, so a lost message
/// leaves a node stale for at most that long. While the store cannot be read the node keeps what
/// it last knew.
/// </summary>
public sealed class ControlPlaneView : IAsyncDisposable
{
    private readonly IControlSource _store;
    private readonly TenantDirectory? _tenants;
    private readonly ApiKeyStore? _keys;
    private readonly TimeSpan _reconcile;
    private readonly ConcurrentDictionary<string, TenantRecord?> _tenantCache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ApiKeyRecord> _keyCache = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private readonly Lock _swap = new();
    private readonly CancellationTokenSource _stop = new();
    private volatile ModelControls _models = ModelControls.Empty;
    private long _epoch;
    private int _unreachable;
    private Task? _loop;

    public ControlPlaneView(IControlSource store, int reconcileMs, TenantDirectory? tenants = null, ApiKeyStore? keys = null)
    {
        _store = store;
        _tenants = tenants;
        _keys = keys;
        _reconcile = TimeSpan.FromMilliseconds(reconcileMs);
    }

    /// <summary>The registry as applied here now.</summary>
    public ModelControls Models => _models;

    /// <summary>Raised after a new registry snapshot is applied.</summary>
    public event Action<ModelControls>? ModelsApplied;

    /// <summary>(reachable, reason): raised when reading the store starts or stops failing.</summary>
    public event Action<bool, string>? StoreAvailabilityChanged;

    /// <summary>Subscribes to the change feed, reads the registry once (a failure is reported and
    /// retried by the reconcile loop) and starts that loop.</summary>
    public async Task StartAsync()
    {
        _store.Changed += OnChanged;
        try
        {
            await _store.SubscribeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is StateUnavailableException or TimeoutException)
        {
            Report(false, $"cannot subscribe to control-plane changes yet ({e.Message}); reconciling every {_reconcile.TotalMilliseconds:0} ms");
        }

        await RefreshAsync(_stop.Token).ConfigureAwait(false);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Reads the registry now (after this node's own change, so it obeys before it answers).</summary>
    public async ValueTask RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _reloading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var next = await ModelRegistry.ReadAsync(_store, cancellationToken).ConfigureAwait(false);
            Report(true, "control plane readable again");
            // A lower revision is either a read that raced a message (ignore it) or a store that
            // lost its data (Redis restarted without persistence): asked again, the store says which.
            var reset = next.Revision < _models.Revision && await _store.RevisionAsync(cancellationToken).ConfigureAwait(false) < _models.Revision;
            bool applied;
            lock (_swap)
            {
                applied = next.Revision > _models.Revision || _models.Revision == 0 || reset;
                if (applied)
                {
                    // Everything cached may predate this revision (a message may have been lost).
                    Interlocked.Increment(ref _epoch);
                    _tenantCache.Clear();
                    _keyCache.Clear();
                    _models = next;
                }
            }

            if (applied)
            {
                ModelsApplied?.Invoke(next);
            }
        }
        catch (StateUnavailableException e)
        {
            Report(false, $"control plane unreadable, keeping revision {_models.Revision}: {e.Message}");
        }
        finally
        {
            _reloading.Release();
        }
    }

    /// <summary>The tenant's record (cached), or null when there is no such tenant.</summary>
    public async ValueTask<TenantRecord?> TenantAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        if (_tenantCache.TryGetValue(tenantId, out var cached))
        {
            return cached;
        }

        var epoch = Interlocked.Read(ref _epoch);
        var tenant = await (_tenants ?? throw new InvalidOperationException("this view has no tenant directory")).GetAsync(tenantId, cancellationToken).ConfigureAwait(false);
        if (Interlocked.Read(ref _epoch) == epoch)
        {
            _tenantCache[tenantId] = tenant; // not when a change arrived while reading: it may be older than the change
        }

        return tenant;
    }

    /// <summary>The key's record (cached once found), or null.</summary>
    public async ValueTask<ApiKeyRecord?> KeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        if (_keyCache.TryGetValue(keyId, out var cached))
        {
            return cached;
        }

        var epoch = Interlocked.Read(ref _epoch);
        var key = await (_keys ?? throw new InvalidOperationException("this view has no key store")).FindAsync(keyId, cancellationToken).ConfigureAwait(false);
        if (key is not null && Interlocked.Read(ref _epoch) == epoch)
        {
            _keyCache[keyId] = key;
        }

        return key;
    }

    /// <summary>The key's record if this node holds it, without asking the store.</summary>
    public ApiKeyRecord? CachedKey(string keyId) => _keyCache.GetValueOrDefault(keyId);

    private void OnChanged(ControlChange change)
    {
        Interlocked.Increment(ref _epoch);
        switch (change.Table)
        {
            case ControlTable.Tenants:
                _tenantCache.TryRemove(change.Id, out _);
                break;
            case ControlTable.Keys:
                _keyCache.TryRemove(change.Id, out _);
                break;
        }

        // The next revision in sequence is applied here and now (a model change carries its
        // record); a gap means a message was missed, so the loop reads the whole registry.
        var entry = change.Table == ControlTable.Models ? ControlJson.ReadModel(change.Value) : null;
        ModelControls? applied = null;
        lock (_swap)
        {
            if (change.Revision == _models.Revision + 1 && (change.Table != ControlTable.Models || entry is not null))
            {
                var entries = entry is null ? _models.Entries : _models.Entries.Where(e => e.Key != change.Id).Append(entry);
                _models = applied = new ModelControls(entries, change.Revision);
            }
        }

        if (applied is not null)
        {
            if (change.Table == ControlTable.Models)
            {
                ModelsApplied?.Invoke(applied);
            }
        }
        else if (change.Revision > _models.Revision)
        {
            _wake.Release();
        }
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var woken = await _wake.WaitAsync(_reconcile, _stop.Token).ConfigureAwait(false);
                if (!woken)
                {
                    var revision = await _store.RevisionAsync(_stop.Token).ConfigureAwait(false);
                    if (revision == _models.Revision)
                    {
                        continue;
                    }
                }

                while (_wake.CurrentCount > 0 && _wake.Wait(0))
                {
                    // several messages, one read
                }

                await RefreshAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (StateUnavailableException e)
            {
                Report(false, $"control plane unreadable, keeping revision {_models.Revision}: {e.Message}");
            }
        }
    }

    private void Report(bool reachable, string reason)
    {
        if (Interlocked.Exchange(ref _unreachable, reachable ? 0 : 1) == (reachable ? 1 : 0))
        {
            StoreAvailabilityChanged?.Invoke(reachable, reason);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _store.Changed -= OnChanged;
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }
}
