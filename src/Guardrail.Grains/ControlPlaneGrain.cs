using Guardrail.State.Control;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace Guardrail.Grains;

/// <summary>The control plane's records as stored: one table per <see cref="ControlTable"/> and the revision.</summary>
[GenerateSerializer]
internal sealed class ControlTables
{
    [Id(0)] public long Revision;
    [Id(1)] public Dictionary<string, string> Models = [];
    [Id(2)] public Dictionary<string, string> Tenants = [];
    [Id(3)] public Dictionary<string, string> Keys = [];

    public Dictionary<string, string> Of(ControlTable table) => table switch
    {
        ControlTable.Models => Models,
        ControlTable.Tenants => Tenants,
        _ => Keys,
    };
}

/// <summary>
/// The control plane in one activation: a write is checked against what is there, persisted (a
/// write Orleans cannot persist is undone here and fails the call, so no node ever hears of a
/// change storage does not hold; see <see cref="WriteAsync"/> for storage that lost its data),
/// and only then announced. A notice that cannot be sent (Redis
/// away) is sent again every second until it is, and again as the grain activates elsewhere, since
/// the silo that held it may have died between the two: nodes compare revisions, so one notice of
/// the latest revision heals every one lost before it.
/// </summary>
internal sealed class ControlPlaneGrain(
    [PersistentState("control", GuardrailSilo.ControlStorage)] IPersistentState<ControlTables> stored,
    IControlAnnouncer announcer, ControlPlaneOptions options, ILogger<ControlPlaneGrain> logger) : Grain, IControlPlaneGrain
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);
    private IGrainTimer? _retry;
    private int _failedNotices;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
        => stored.State.Revision > 0 ? Announce(Latest()) : Task.CompletedTask;

    public Task<string?> Get(ControlTable table, string id, CancellationToken cancellationToken = default)
        => Task.FromResult(stored.State.Of(table).GetValueOrDefault(id));

    public Task<Dictionary<string, string>> List(ControlTable table, CancellationToken cancellationToken = default)
        => Task.FromResult(new Dictionary<string, string>(stored.State.Of(table), StringComparer.Ordinal));

    public Task<long> Revision(CancellationToken cancellationToken = default) => Task.FromResult(stored.State.Revision);

    public async Task<ControlWrite> Put(ControlTable table, string id, string? expected, string value, CancellationToken cancellationToken = default)
    {
        var tables = stored.State;
        var records = tables.Of(table);
        var current = records.GetValueOrDefault(id);
        if (current != expected)
        {
            return new ControlWrite(false, current, tables.Revision);
        }

        records[id] = value;
        tables.Revision++;
        try
        {
            await WriteAsync();
        }
        catch
        {
            if (current is null)
            {
                records.Remove(id);
            }
            else
            {
                records[id] = current;
            }

            tables.Revision--;
            throw;
        }

        // Model records travel with their notice, so a node applies them without a read; tenants
        // and keys are only named (key hashes stay off the channel).
        await Announce(new ControlChange(table, id, tables.Revision, table == ControlTable.Models ? value : null));
        return new ControlWrite(true, value, tables.Revision);
    }

    /// <summary>
    /// Persists the tables, not cancelled halfway (a caller that gave up learns the outcome by the
    /// revision). Storage that no longer holds what this activation last wrote either lost its data
    /// (Redis restarted without persistence: the activation holds the latest tables, so it writes
    /// them back, and the control plane is not stuck refusing every write) or was written by
    /// another activation (a partition: this copy is stale, so the grain deactivates and the next
    /// call starts from storage; this one fails, UNAVAILABLE, and may be repeated).
    /// </summary>
    private async Task WriteAsync()
    {
        try
        {
            await stored.WriteStateAsync();
            return;
        }
        catch (InconsistentStateException e)
        {
            var mine = stored.State;
            await stored.ReadStateAsync();
            if (stored.RecordExists)
            {
                GrainLog.WriteConflict(logger, this.GetGrainId().ToString(), e.Message);
                DeactivateOnIdle();
                throw;
            }

            stored.State = mine;
        }

        GrainLog.ControlRestored(logger, stored.State.Revision);
        await stored.WriteStateAsync();
    }

    /// <summary>A notice of the latest revision and nothing else: a node behind it reads the tables.</summary>
    private ControlChange Latest() => new(ControlTable.Models, string.Empty, stored.State.Revision);

    private async Task Announce(ControlChange change)
    {
        try
        {
            using var bounded = new CancellationTokenSource(options.TimeoutMs);
            await announcer.AnnounceAsync(change, new Dictionary<string, string>(stored.State.Models, StringComparer.Ordinal), bounded.Token);
            if (_failedNotices > 0)
            {
                GrainLog.NoticeSent(logger, stored.State.Revision, _failedNotices);
            }

            _failedNotices = 0;
            _retry?.Dispose();
            _retry = null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (_failedNotices++ == 0)
            {
                GrainLog.NoticeFailed(logger, change.Revision, e.GetType().Name, e.Message);
            }

            _retry ??= this.RegisterGrainTimer(() => Announce(Latest()), new GrainTimerCreationOptions(Retry, Retry) { KeepAlive = true });
        }
    }
}
