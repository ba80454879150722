using Guardrail.State;
using Orleans;
using Orleans.Runtime;

namespace Guardrail.Grains;

/// <summary>
/// The state store on grains: a turn with a session goes to its <see cref="ISessionGrain"/> (which
/// asks the tenant's grain), one without to the <see cref="ITenantGrain"/>. Orleans' own failures
/// (a silo gone, a message rejected, no answer in time) become <see cref="StateUnavailableException"/>,
/// so the tenant's fail-open or fail-closed setting decides, as with every store.
/// </summary>
public sealed class GrainStateStore(IGrainFactory grains, TimeProvider? time = null) : IScreeningStateStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public ValueTask<TurnOutcome> RecordTurnAsync(ScreeningTurn turn, CancellationToken cancellationToken = default)
        => Call(turn.SessionId is { Length: > 0 } sessionId
            ? Session(turn.TenantId, sessionId).RecordTurn(turn, cancellationToken)
            : grains.GetGrain<ITenantGrain>(turn.TenantId).RecordTurn(turn, cancellationToken));

    public ValueTask<TenantSnapshot> GetTenantAsync(string tenantId, CancellationToken cancellationToken = default)
        => Call(grains.GetGrain<ITenantGrain>(tenantId).Snapshot(NowMs, cancellationToken));

    public ValueTask<SessionSnapshot?> GetSessionAsync(string tenantId, string sessionId, CancellationToken cancellationToken = default)
        => Call(Session(tenantId, sessionId).Snapshot(NowMs, cancellationToken));

    public async ValueTask ResetSessionAsync(string tenantId, string sessionId, CancellationToken cancellationToken = default)
    {
        try
        {
            await Session(tenantId, sessionId).Reset(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsClusterFailure(e))
        {
            throw Unavailable(e);
        }
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private ISessionGrain Session(string tenantId, string sessionId) => grains.GetGrain<ISessionGrain>(SessionGrainKey.Of(tenantId, sessionId));

    private static async ValueTask<T> Call<T>(Task<T> call)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (Exception e) when (IsClusterFailure(e))
        {
            throw Unavailable(e);
        }
    }

    /// <summary>Orleans' own failures (SiloUnavailableException, OrleansMessageRejectionException, ...
    /// derive from OrleansException; a call with no answer in time throws TimeoutException), not
    /// an exception a grain's code threw.</summary>
    private static bool IsClusterFailure(Exception e) => e is OrleansException or TimeoutException;

    private static StateUnavailableException Unavailable(Exception e) => new($"the grain cluster did not answer: {e.GetType().Name}: {e.Message}", e);
}
