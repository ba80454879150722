using Guardrail.State.Workers;
using Microsoft.Extensions.Logging;

namespace Guardrail.Detection.Remote;

/// <summary>
/// The detector workers a gateway may call: re-read from the membership every
/// <see cref="WorkerPoolOptions.RefreshMs"/> (joins and deaths are seen without a restart), kept
/// as they are when the membership cannot be read. Picks the worker with the fewest outstanding
/// texts among those whose breaker lets a call through.
/// </summary>
public sealed class WorkerPool : IAsyncDisposable
{
    private readonly IWorkerSource _source;
    private readonly WorkerPoolOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _refresh;
    private volatile WorkerEndpoint[] _workers = [];
    private volatile string? _membershipError;
    private Task _probing = Task.CompletedTask;
    private int _rotation;

    public WorkerPool(IWorkerSource source, WorkerPoolOptions options, ILogger logger, TimeProvider? time = null)
    {
        _source = source;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        WorkerPoolMetrics.Observe(this);
        _refresh = Task.Run(RefreshLoopAsync);
    }

    public IReadOnlyList<WorkerEndpoint> Workers => _workers;

    /// <summary>Why the membership could not be read at the last try, or null.</summary>
    public string? MembershipError => _membershipError;

    public string Describe() => _source.Describe();

    /// <summary>Reads the membership now (also done periodically).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<WorkerRegistration> listed;
        try
        {
            listed = await _source.ListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (_membershipError is null)
            {
                WorkerPoolLog.MembershipUnreadable(_logger, _source.Describe(), e.Message);
            }

            _membershipError = e.Message;
            return;
        }

        if (_membershipError is not null)
        {
            WorkerPoolLog.MembershipReadable(_logger, _source.Describe());
            _membershipError = null;
        }

        var current = _workers.ToDictionary(w => w.Id, StringComparer.Ordinal);
        var next = new List<WorkerEndpoint>(listed.Count);
        foreach (var registration in listed)
        {
            if (current.Remove(registration.Id, out var known) && known.Registration.Address == registration.Address)
            {
                known.Registration = registration;
                next.Add(known);
                continue;
            }

            known?.Dispose();
            next.Add(new WorkerEndpoint(registration, new CircuitBreaker(_options.BreakerFailures, TimeSpan.FromMilliseconds(_options.BreakerOpenMs), _time)));
            WorkerPoolLog.WorkerJoined(_logger, registration.Id, registration.Address, listed.Count);
        }

        _workers = [.. next];
        foreach (var gone in current.Values)
        {
            WorkerPoolLog.WorkerLeft(_logger, gone.Id, gone.Registration.Address, next.Count);
            gone.Dispose(); // its in-flight calls end as UNAVAILABLE and are retried elsewhere
        }

        // Readiness counts the workers that answer, not the ones listed. Probed beside the refresh,
        // not in it: awaiting an unreachable worker's probe delayed the next refresh, and with it a
        // new worker's first call past 2 s.
        if (_probing.IsCompleted)
        {
            var probeTimeout = TimeSpan.FromMilliseconds(Math.Min(_options.RefreshMs, 1000));
            _probing = Task.WhenAll(next.Select(w => w.ProbeAsync(probeTimeout, _stopping.Token)));
        }
    }

    /// <summary>Workers that answered their last health probe and whose breaker is not open.</summary>
    public bool AnyServing => _workers.Any(w => w.Serving && w.Breaker.Current != CircuitBreaker.State.Open);

    /// <summary>The least loaded worker not yet tried whose breaker lets a call through (ties taken
    /// in turn), or null.</summary>
    public WorkerEndpoint? Pick(IReadOnlyCollection<WorkerEndpoint> tried)
    {
        var workers = _workers;
        var start = Interlocked.Increment(ref _rotation);
        WorkerEndpoint? best = null;
        for (var k = 0; k < workers.Length; k++)
        {
            var worker = workers[(int)((uint)(start + k) % workers.Length)];
            if (!tried.Contains(worker) && worker.Breaker.Current != CircuitBreaker.State.Open && (best is null || worker.Outstanding < best.Outstanding))
            {
                best = worker;
            }
        }

        return best is null || best.Breaker.TryAcquire() ? best : Pick([.. tried, best]);
    }

    private async Task RefreshLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.RefreshMs), _time);
        try
        {
            do
            {
                await RefreshAsync(_stopping.Token).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _refresh.ConfigureAwait(false);
        foreach (var worker in _workers)
        {
            worker.Dispose();
        }

        _stopping.Dispose();
    }
}
