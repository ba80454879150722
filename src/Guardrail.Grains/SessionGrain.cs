using Guardrail.State;
using Orleans;

namespace Guardrail.Grains;

/// <summary>
/// A session's conversation risk in one activation. A turn decays the risk to its time, has the
/// tenant's grain charge it at that risk, then adds its own weighted score (when admitted): the
/// same steps, in the same order, as <see cref="TurnRules.Apply"/> in one process. A session idle
/// for <see cref="SessionRiskOptions.IdleSeconds"/> and not locked has expired: it reads as unknown
/// and its next turn starts from nothing. Orleans collects activations
/// left idle (GrainCollectionOptions.CollectionAge), so memory follows the live sessions.
/// </summary>
public sealed class SessionGrain(StateOptions options) : Grain, ISessionGrain
{
    private SessionState _state = new();

    public async Task<TurnOutcome> RecordTurn(ScreeningTurn turn, CancellationToken cancellationToken = default)
    {
        ExpireIfIdle(turn.NowMs);
        var (risk, lockedUntil) = TurnRules.DecayedRisk(_state, turn.NowMs, options.Session);
        var tenant = GrainFactory.GetGrain<ITenantGrain>(turn.TenantId);
        var charge = await tenant.Charge(new TenantTurn(turn.NowMs, turn.Chars, risk, turn.RiskScore, turn.Flagged), cancellationToken);
        return TurnRules.Settle(turn, _state, risk, lockedUntil, charge, options.Session);
    }

    public Task<SessionSnapshot?> Snapshot(long nowMs, CancellationToken cancellationToken = default)
    {
        ExpireIfIdle(nowMs);
        if (_state.UpdatedMs == 0)
        {
            return Task.FromResult<SessionSnapshot?>(null);
        }

        var (tenantId, sessionId) = SessionGrainKey.Parse(this.GetPrimaryKeyString());
        return Task.FromResult<SessionSnapshot?>(new SessionSnapshot(tenantId, sessionId, _state.Risk, _state.UpdatedMs, _state.LockedUntilMs));
    }

    public Task Reset(CancellationToken cancellationToken = default)
    {
        _state = new SessionState();
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private void ExpireIfIdle(long nowMs)
    {
        if (_state.UpdatedMs > 0 && TurnRules.IsExpired(_state, nowMs, options.Session))
        {
            _state = new SessionState();
        }
    }
}
