using Guardrail.State;
using Orleans;

namespace Guardrail.Grains;

/// <summary>
/// A tenant's quota and anomaly state in one activation: Orleans runs its calls one at a time, so
/// the token bucket needs no lock and two gateways cannot both spend the same token. The rules are
/// <see cref="TurnRules"/>'s, the ones the in-memory store applies. State lives in the activation:
/// a tenant idle for <see cref="StateOptions.TenantTtlSeconds"/> starts afresh, as in the other stores.
/// </summary>
public sealed class TenantGrain(StateOptions options) : Grain, ITenantGrain
{
    private TenantState _state = new();
    private long _lastSeenMs = long.MinValue;

    private string TenantId => this.GetPrimaryKeyString();

    public Task<TurnOutcome> RecordTurn(ScreeningTurn turn, CancellationToken cancellationToken = default)
    {
        var charge = ChargeAt(new TenantTurn(turn.NowMs, turn.Chars, 0, turn.RiskScore, turn.Flagged));
        return Task.FromResult(TurnRules.Settle(turn, null, 0, 0, charge, options.Session));
    }

    public Task<TenantCharge> Charge(TenantTurn turn, CancellationToken cancellationToken = default)
        => Task.FromResult(ChargeAt(turn));

    public Task<TenantSnapshot> Snapshot(long nowMs, CancellationToken cancellationToken = default)
    {
        ExpireIfIdle(nowMs);
        return Task.FromResult(TurnRules.Snapshot(TenantId, _state));
    }

    private TenantCharge ChargeAt(TenantTurn turn)
    {
        ExpireIfIdle(turn.NowMs);
        var charge = TurnRules.Charge(_state, turn, options.QuotaFor(TenantId), options.Anomaly);
        _lastSeenMs = Math.Max(_lastSeenMs, turn.NowMs);
        return charge;
    }

    private void ExpireIfIdle(long nowMs)
    {
        if (_lastSeenMs != long.MinValue && nowMs - _lastSeenMs >= options.TenantTtlSeconds * 1000L)
        {
            _state = new TenantState();
            _lastSeenMs = long.MinValue;
        }
    }
}
