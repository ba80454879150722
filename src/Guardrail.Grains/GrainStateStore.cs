using Guardrail.State;
using Guardrail.State.Privacy;
using Orleans;

namespace Guardrail.Grains;

/// <summary>
/// The state store on grains: a turn with a session goes to its <see cref="ISessionGrain"/> (which
/// asks the tenant's grain), one without to the <see cref="ITenantGrain"/>. Each call gets the
/// caller's cancellation and at most <see cref="StateOptions.TimeoutMs"/>. Orleans' own failures (a
/// silo gone, a message rejected, no answer in time) become <see cref="StateUnavailableException"/>,
/// so the tenant's fail-open or fail-closed setting decides, as with every store.
/// </summary>
public sealed class GrainStateStore(IGrainFactory grains, StateOptions options, TimeProvider? time = null) : IScreeningStateStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly TimeSpan _timeout = TimeSpan.FromMilliseconds(options.TimeoutMs);

    public ValueTask<TurnOutcome> RecordTurnAsync(ScreeningTurn turn, CancellationToken cancellationToken = default)
        => Call(ct => turn.SessionId is { Length: > 0 } sessionId
            ? Session(turn.TenantId, sessionId).RecordTurn(turn, ct)
            : StringKeyGrains<ITenantGrain>.Get(grains, turn.TenantId).RecordTurn(turn, ct), cancellationToken);

    public ValueTask<TenantSnapshot> GetTenantAsync(string tenantId, CancellationToken cancellationToken = default)
        => Call(ct => StringKeyGrains<ITenantGrain>.Get(grains, tenantId).Snapshot(NowMs, ct), cancellationToken);

    public ValueTask<SessionSnapshot?> GetSessionAsync(string tenantId, string sessionId, CancellationToken cancellationToken = default)
        => Call(ct => Session(tenantId, sessionId).Snapshot(NowMs, ct), cancellationToken);

    public async ValueTask ResetSessionAsync(string tenantId, string sessionId, CancellationToken cancellationToken = default)
        => await Call(async ct =>
        {
            await Session(tenantId, sessionId).Reset(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>Reversible anonymisation: each value's placeholder in the session
    /// (<see cref="ISessionGrain.Placeholders"/>), bounded like every call here.</summary>
    public ValueTask<string?[]> AssignPlaceholdersAsync(string tenantId, string sessionId, PlaceholderRequest[] values, int limit, CancellationToken cancellationToken)
        => Call(ct => Session(tenantId, sessionId).Placeholders(values, NowMs, limit, ct), cancellationToken);

    /// <summary>The sealed originals of a session's placeholders (<see cref="ISessionGrain.Originals"/>).</summary>
    public ValueTask<SealedValue?[]> PlaceholderOriginalsAsync(string tenantId, string sessionId, string[] placeholders, CancellationToken cancellationToken)
        => Call(ct => Session(tenantId, sessionId).Originals(placeholders, NowMs, ct), cancellationToken);

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private ISessionGrain Session(string tenantId, string sessionId) => StringKeyGrains<ISessionGrain>.Get(grains, SessionGrainKey.Of(tenantId, sessionId));

    private ValueTask<T> Call<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
        => GrainCalls.BoundedAsync(call, _timeout, StateOptions.Section + ":TimeoutMs", cancellationToken);
}
