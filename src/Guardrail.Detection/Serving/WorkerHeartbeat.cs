using Guardrail.State.Workers;
using Microsoft.Extensions.Logging;

namespace Guardrail.Detection.Serving;

/// <summary>Keeps a worker in the membership: a heartbeat every <see cref="WorkerOptions.HeartbeatMs"/>
/// with a TTL of <see cref="WorkerOptions.TtlMs"/>, retried while Redis is away (the worker keeps
/// serving gateways that already know it), and a prompt leave on shutdown.</summary>
public sealed class WorkerHeartbeat(IWorkerDirectory directory, WorkerRegistration registration, WorkerOptions options, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public void Start() => _loop = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        var ttl = TimeSpan.FromMilliseconds(options.TtlMs);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.HeartbeatMs));
        string? failing = null;
        try
        {
            do
            {
                try
                {
                    await directory.HeartbeatAsync(registration, ttl, _stopping.Token).ConfigureAwait(false);
                    if (failing is not null)
                    {
                        WorkerLog.MembershipRestored(logger, directory.Describe());
                    }

                    failing = null;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    if (failing is null)
                    {
                        WorkerLog.HeartbeatFailing(logger, directory.Describe(), e.Message);
                    }

                    failing = e.Message;
                }
            }
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops the heartbeat and leaves the membership, so gateways stop sending at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        try
        {
            await directory.LeaveAsync(registration.Id).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            WorkerLog.HeartbeatFailing(logger, directory.Describe(), "leave failed, the TTL will expire the entry: " + e.Message);
        }

        _stopping.Dispose();
    }
}
