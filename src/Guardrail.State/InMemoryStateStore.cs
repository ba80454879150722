using System.Collections.Concurrent;

namespace Guardrail.State;

/// <summary>
/// The embedded store: one process, state in dictionaries, one lock per tenant (a turn touches
/// only its tenant, so tenants never wait for each other). Expired sessions and tenants are swept
/// as traffic goes by, so memory follows the live set rather than everything ever seen.
/// </summary>
public sealed class InMemoryStateStore(StateOptions options, TimeProvider? time = null) : IScreeningStateStore
{
    private const int SweepEvery = 4096;
    private readonly ConcurrentDictionary<string, TenantEntry> _tenants = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _operations;

    public ValueTask<TurnOutcome> RecordTurnAsync(ScreeningTurn turn, CancellationToken cancellationToken = default)
    {
        TurnOutcome outcome;
        while (true)
        {
            var entry = Entry(turn.TenantId, turn.NowMs);
            lock (entry)
            {
                if (entry.Removed)
                {
                    continue; // swept between lookup and lock: use the replacement entry
                }

                outcome = Record(entry, turn);
                break;
            }
        }

        if (Interlocked.Increment(ref _operations) % SweepEvery == 0)
        {
            SweepTenants(turn.NowMs);
        }

        return ValueTask.FromResult(outcome);
    }

    private TurnOutcome Record(TenantEntry entry, ScreeningTurn turn)
    {
        entry.ExpireIfIdle(turn.NowMs, options.TenantTtlSeconds * 1000L);
        SessionState? session = null;
        if (!string.IsNullOrEmpty(turn.SessionId))
        {
            if (!entry.Sessions.TryGetValue(turn.SessionId, out session) || IsExpired(session, turn.NowMs))
            {
                session = new SessionState();
            }
        }

        var outcome = TurnRules.Apply(turn, entry.State, session, options.QuotaFor(turn.TenantId), options.Anomaly, options.Session);
        if (session is { UpdatedMs: > 0 } && turn.SessionId is { Length: > 0 } id)
        {
            entry.Sessions[id] = session;
        }

        entry.LastSeenMs = turn.NowMs;
        if (++entry.Operations % SweepEvery == 0)
        {
            foreach (var key in entry.Sessions.Where(pair => IsExpired(pair.Value, turn.NowMs)).Select(pair => pair.Key).ToList())
            {
                entry.Sessions.Remove(key);
            }
        }

        return outcome;
    }

    public ValueTask<TenantSnapshot> GetTenantAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (!_tenants.TryGetValue(tenantId, out var entry))
        {
            return ValueTask.FromResult(TurnRules.Snapshot(tenantId, new TenantState()));
        }

        lock (entry)
        {
            entry.ExpireIfIdle(now, options.TenantTtlSeconds * 1000L);
            return ValueTask.FromResult(TurnRules.Snapshot(tenantId, entry.State));
        }
    }

    public ValueTask<SessionSnapshot?> GetSessionAsync(string tenantId, string sessionId, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_tenants.TryGetValue(tenantId, out var entry))
        {
            lock (entry)
            {
                if (entry.Sessions.TryGetValue(sessionId, out var session) && !IsExpired(session, now))
                {
                    return ValueTask.FromResult<SessionSnapshot?>(new SessionSnapshot(tenantId, sessionId, session.Risk, session.UpdatedMs, session.LockedUntilMs));
                }
            }
        }

        return ValueTask.FromResult<SessionSnapshot?>(null);
    }

    public ValueTask ResetSessionAsync(string tenantId, string sessionId, CancellationToken cancellationToken = default)
    {
        if (_tenants.TryGetValue(tenantId, out var entry))
        {
            lock (entry)
            {
                entry.Sessions.Remove(sessionId);
            }
        }

        return ValueTask.CompletedTask;
    }

    private bool IsExpired(SessionState session, long now) => TurnRules.IsExpired(session, now, options.Session);

    private TenantEntry Entry(string tenantId, long now) => _tenants.GetOrAdd(tenantId, _ => new TenantEntry { LastSeenMs = now });

    private void SweepTenants(long now)
    {
        foreach (var (id, entry) in _tenants)
        {
            lock (entry)
            {
                if (now - entry.LastSeenMs >= options.TenantTtlSeconds * 1000L)
                {
                    // Marked under its lock, so a turn that found it just before sees the mark and retries.
                    entry.Removed = _tenants.TryRemove(new KeyValuePair<string, TenantEntry>(id, entry));
                }
            }
        }
    }

    private sealed class TenantEntry
    {
        public TenantState State { get; private set; } = new();

        public Dictionary<string, SessionState> Sessions { get; } = new(StringComparer.Ordinal);

        public long LastSeenMs { get; set; }

        public long Operations { get; set; }

        public bool Removed { get; set; }

        public void ExpireIfIdle(long now, long ttlMs)
        {
            if (now - LastSeenMs >= ttlMs)
            {
                State = new TenantState();
                Sessions.Clear();
            }
        }
    }
}
