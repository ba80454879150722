using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace Guardrail.Grains;

/// <summary>
/// A grain's persisted state, written behind its turns: the first change after a write arms a
/// one-shot grain timer, and the timer writes whatever changed by then, so a busy grain costs one
/// storage write per interval however many turns it serves. Writes never hold up the grain's
/// calls (the state is serialized when the write starts; the round trip runs beside the calls),
/// and one write is in flight at a time, so the storage's etag stays in step. A failed write
/// (Redis away) is retried with back-off (the interval doubling up to 5 s; logged here once per
/// streak, which is why the gateway mutes Orleans' own error line per failed write) while the
/// activation serves from memory.
/// <see cref="WriteNowAsync"/> is for changes that must not wait (a session lock).
/// </summary>
internal sealed class WriteBehind<T>(IGrainBase grain, IPersistentState<T> stored, GrainPersistence persistence, ILogger logger)
{
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(5);
    private IGrainTimer? _timer;
    private Task? _writing;
    private bool _dirty;
    private int _failures;

    public T State => stored.State;

    public void Changed()
    {
        if (!persistence.Persistent)
        {
            return;
        }

        _dirty = true;
        if (_writing is null && _timer is null)
        {
            var delay = _failures == 0 ? persistence.WriteBehind : TimeSpan.FromTicks(Math.Min(MaxBackOff.Ticks, persistence.WriteBehind.Ticks << Math.Min(_failures, 10)));
            _timer = grain.RegisterGrainTimer(OnTimer, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { Interleave = true });
        }
    }

    /// <summary>Starts writing now and waits for it, at most <see cref="GrainPersistence.WriteNowBound"/>
    /// (with Redis away the turn answers anyway; the write is retried).</summary>
    public async Task WriteNowAsync()
    {
        if (!persistence.Persistent)
        {
            return;
        }

        _dirty = true;
        CancelTimer();
        var writing = _writing ??= WriteWhileChanged();
        await Task.WhenAny(writing, Task.Delay(persistence.WriteNowBound)).ConfigureAwait(true);
    }

    /// <summary>The state is worth nothing any more (expired or reset): forget it here and in storage.</summary>
    public async Task ClearAsync(T fresh)
    {
        CancelTimer();
        _dirty = false;
        if (_writing is { } writing)
        {
            await writing.ConfigureAwait(true);
        }

        stored.State = fresh;
        if (stored.RecordExists)
        {
            try
            {
                await stored.ClearStateAsync().ConfigureAwait(true);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                GrainLog.ClearFailed(logger, grain.GrainContext.GrainId.ToString(), e.GetType().Name, e.Message);
            }
        }
    }

    /// <summary>Before deactivation (idle, or a graceful silo shutdown handing grains over).</summary>
    public async Task FlushAsync()
    {
        CancelTimer();
        if (_dirty || _writing is not null)
        {
            await (_writing ??= WriteWhileChanged()).ConfigureAwait(true);
        }
    }

    private Task OnTimer()
    {
        CancelTimer();
        _writing ??= WriteWhileChanged();
        return Task.CompletedTask;
    }

    private async Task WriteWhileChanged()
    {
        try
        {
            while (_dirty)
            {
                _dirty = false;
                await stored.WriteStateAsync().ConfigureAwait(true);
            }

            _failures = 0;
        }
        catch (InconsistentStateException e)
        {
            // Another activation of this grain wrote since we read (a partition healed): ours is
            // the stale copy. Let the next call start from what storage holds.
            GrainLog.WriteConflict(logger, grain.GrainContext.GrainId.ToString(), e.Message);
            grain.GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, "state written by another activation"));
        }
        catch (Exception e)
        {
            if (_failures++ == 0)
            {
                GrainLog.WriteFailed(logger, grain.GrainContext.GrainId.ToString(), e.GetType().Name, e.Message);
            }

            _dirty = true;
        }
        finally
        {
            _writing = null;
        }

        if (_dirty)
        {
            Changed(); // failed, or changed during the last write: next interval
        }
    }

    private void CancelTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }
}
