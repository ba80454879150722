using Guardrail.State;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;

namespace Guardrail.Grains;

/// <summary>
/// A tenant's quota and anomaly state in one activation: Orleans runs its calls one at a time, so
/// the token bucket needs no lock and two gateways cannot both spend the same token. The rules are
/// <see cref="TurnRules"/>'s, the ones the in-memory store applies. The state is written behind
/// (<see cref="SiloOptions.WriteBehindMs"/>): a silo's loss forgets at most that much of the
/// tenant's turns (their tokens and characters come back); the daily budget used otherwise
/// survives. A tenant idle for <see cref="StateOptions.TenantTtlSeconds"/> starts afresh.
/// </summary>
[TenantPlacement]
internal sealed class TenantGrain : Grain, ITenantGrain
{
    private readonly StateOptions _options;
    private readonly WriteBehind<StoredTenant> _stored;

    public TenantGrain([PersistentState("tenant", GuardrailSilo.TenantStorage)] IPersistentState<StoredTenant> stored, StateOptions options, GrainPersistence persistence, ILogger<TenantGrain> logger)
    {
        _options = options;
        _stored = new WriteBehind<StoredTenant>(this, stored, persistence, logger);
    }

    private string TenantId => this.GetPrimaryKeyString();

    public async Task<TurnOutcome> RecordTurn(ScreeningTurn turn, CancellationToken cancellationToken = default)
    {
        var charge = await ChargeAt(new TenantTurn(turn.NowMs, turn.Chars, 0, turn.RiskScore, turn.Flagged));
        return TurnRules.Settle(turn, null, 0, 0, charge, _options.Session);
    }

    public Task<TenantCharge> Charge(TenantTurn turn, CancellationToken cancellationToken = default) => ChargeAt(turn);

    public async Task<TenantSnapshot> Snapshot(long nowMs, CancellationToken cancellationToken = default)
    {
        await ExpireIfIdle(nowMs);
        return TurnRules.Snapshot(TenantId, _stored.State.Quota);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _stored.FlushAsync();

    private async Task<TenantCharge> ChargeAt(TenantTurn turn)
    {
        await ExpireIfIdle(turn.NowMs);
        var state = _stored.State;
        var charge = TurnRules.Charge(state.Quota, turn, _options.QuotaFor(TenantId), _options.Anomaly);
        state.SeenMs = Math.Max(state.SeenMs, turn.NowMs);
        _stored.Changed();
        return charge;
    }

    private Task ExpireIfIdle(long nowMs)
        => _stored.State.SeenMs != long.MinValue && nowMs - _stored.State.SeenMs >= _options.TenantTtlSeconds * 1000L
            ? _stored.ClearAsync(new StoredTenant())
            : Task.CompletedTask;
}

/// <summary>What a tenant grain persists: its rules' state and when it last saw a turn.</summary>
[GenerateSerializer]
internal sealed class StoredTenant
{
    [Id(0)] public TenantState Quota { get; set; } = new();

    [Id(1)] public long SeenMs { get; set; } = long.MinValue;
}
