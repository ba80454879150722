using Guardrail.State;
using Guardrail.State.Privacy;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;

namespace Guardrail.Grains;

/// <summary>
/// A session's conversation risk in one activation. A turn decays the risk to its time, has the
/// tenant's grain charge it at that risk, then adds its own weighted score (when admitted): the
/// same steps, in the same order, as <see cref="TurnRules.Apply"/> in one process. Placed beside
/// its tenant's grain (<see cref="TenantPlacement"/>), so that call stays in the silo. The risk is
/// written behind like the tenant's; a turn that locks the session writes before it answers, so a
/// lock outlives the silo that set it. A session idle for
/// <see cref="SessionRiskOptions.IdleSeconds"/> and not locked has expired: it reads as unknown,
/// its next turn starts from nothing, and its stored state is cleared, placeholders included.
/// </summary>
[TenantPlacement]
internal sealed class SessionGrain : Grain, ISessionGrain
{
    private readonly StateOptions _options;
    private readonly WriteBehind<SessionState> _stored;

    public SessionGrain([PersistentState("session", GuardrailSilo.SessionStorage)] IPersistentState<SessionState> stored, StateOptions options, GrainPersistence persistence, ILogger<SessionGrain> logger)
    {
        _options = options;
        _stored = new WriteBehind<SessionState>(this, stored, persistence, logger);
    }

    public async Task<TurnOutcome> RecordTurn(ScreeningTurn turn, CancellationToken cancellationToken = default)
    {
        await ExpireIfIdle(turn.NowMs);
        var state = _stored.State;
        var (risk, lockedUntil) = TurnRules.DecayedRisk(state, turn.NowMs, _options.Session);
        var tenant = StringKeyGrains<ITenantGrain>.Get(GrainFactory, turn.TenantId);
        var charge = await tenant.Charge(new TenantTurn(turn.NowMs, turn.Chars, risk, turn.RiskScore, turn.Flagged), cancellationToken);
        var outcome = TurnRules.Settle(turn, state, risk, lockedUntil, charge, _options.Session);
        if (state.LockedUntilMs > lockedUntil)
        {
            await _stored.WriteNowAsync(); // a new lock must survive this silo
        }
        else if (outcome.Admitted)
        {
            _stored.Changed();
        }

        return outcome;
    }

    public async Task<SessionSnapshot?> Snapshot(long nowMs, CancellationToken cancellationToken = default)
    {
        await ExpireIfIdle(nowMs);
        var state = _stored.State;
        if (state.UpdatedMs == 0)
        {
            return null;
        }

        var (tenantId, sessionId) = SessionGrainKey.Parse(this.GetPrimaryKeyString());
        return new SessionSnapshot(tenantId, sessionId, state.Risk, state.UpdatedMs, state.LockedUntilMs);
    }

    public async Task Reset(CancellationToken cancellationToken = default)
    {
        await _stored.ClearAsync(new SessionState());
        DeactivateOnIdle();
    }

    public async Task<string?[]> Placeholders(PlaceholderRequest[] values, long nowMs, int limit, CancellationToken cancellationToken = default)
    {
        await ExpireIfIdle(nowMs);
        var state = _stored.State;
        var (placeholders, added) = (state.Placeholders ??= new PlaceholderMap()).Assign(values, limit);
        if (added)
        {
            await _stored.WriteNowAsync();
        }

        return placeholders;
    }

    public async Task<SealedValue?[]> Originals(string[] placeholders, long nowMs, CancellationToken cancellationToken = default)
    {
        await ExpireIfIdle(nowMs);
        return _stored.State.Placeholders?.Lookup(placeholders) ?? new SealedValue?[placeholders.Length];
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _stored.FlushAsync();

    private Task ExpireIfIdle(long nowMs)
        => _stored.State.UpdatedMs > 0 && TurnRules.IsExpired(_stored.State, nowMs, _options.Session)
            ? _stored.ClearAsync(new SessionState())
            : Task.CompletedTask;
}
