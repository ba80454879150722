using Guardrail.State;
using Orleans.Persistence.Redis;
using Orleans.Runtime;
using StackExchange.Redis;

namespace Guardrail.Grains;

/// <summary>How the gateway calls its grains: with the caller's cancellation and a bound of its own,
/// Orleans' own failures (a silo gone, a message rejected, no answer in time) and grain storage
/// failing as an activation reads its state (Redis away) becoming <see cref="StateUnavailableException"/>,
/// so the caller's fail mode decides, never UNKNOWN. An exception a grain's code threw goes on as it is.</summary>
internal static class GrainCalls
{
    public static async ValueTask<T> BoundedAsync<T>(Func<CancellationToken, Task<T>> call, TimeSpan timeout, string timeoutSetting, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            return await call(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StateUnavailableException($"the grain cluster did not answer within {timeout.TotalMilliseconds} ms ({timeoutSetting})");
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or RedisException or RedisStorageException)
        {
            // SiloUnavailableException, OrleansMessageRejectionException, ... derive from
            // OrleansException; a call with no answer in time throws TimeoutException.
            throw new StateUnavailableException($"the grain cluster did not answer: {e.GetType().Name}: {e.Message}", e);
        }
    }
}
