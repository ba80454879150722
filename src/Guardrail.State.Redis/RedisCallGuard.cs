using StackExchange.Redis;

namespace Guardrail.State.Redis;

/// <summary>
/// How every store in this project calls Redis: the wait is bounded, and the ways Redis can be
/// away (no connection, timeout, a node loading, a cluster down or failing over) become
/// <see cref="StateUnavailableException"/>, so callers apply their fail mode. A failing script is
/// a bug and is not disguised as unavailability.
/// </summary>
public sealed class RedisCallGuard(TimeSpan timeout, string timeoutSetting)
{
    public async Task<T> RunAsync<T>(Task<T> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e) // ours from WaitAsync, or RedisTimeoutException
        {
            Observe(operation);
            throw new StateUnavailableException($"Redis did not answer within {timeout.TotalMilliseconds:0} ms ({timeoutSetting})", e);
        }
        catch (RedisConnectionException e)
        {
            throw new StateUnavailableException($"Redis is unreachable: {e.FailureType}", e);
        }
        catch (RedisServerException e) when (IsUnavailable(e.Message))
        {
            throw new StateUnavailableException($"Redis cannot serve now: {e.Message.Split(' ')[0]}", e);
        }
    }

    public Task RunAsync(Task operation, CancellationToken cancellationToken)
        => RunAsync(operation.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default), cancellationToken);

    private static bool IsUnavailable(string message)
        => message.StartsWith("LOADING", StringComparison.Ordinal) || message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal)
        || message.StartsWith("TRYAGAIN", StringComparison.Ordinal) || message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
        || message.StartsWith("READONLY", StringComparison.Ordinal) || message.StartsWith("BUSY", StringComparison.Ordinal);

    /// <summary>An abandoned operation may still fail later; observe it so the failure is not unobserved.</summary>
    private static void Observe(Task task) => task.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
}
