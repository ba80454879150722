using System.Collections.Concurrent;

namespace Guardrail.State.Workers;

/// <summary>Worker membership inside one process, on injected time: for tests and single-node runs.</summary>
public sealed class InMemoryWorkerDirectory(TimeProvider? time = null) : IWorkerDirectory
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, (WorkerRegistration Worker, DateTimeOffset Expires)> _workers = new(StringComparer.Ordinal);

    public Task HeartbeatAsync(WorkerRegistration worker, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        _workers[worker.Id] = (worker, _time.GetUtcNow() + ttl);
        return Task.CompletedTask;
    }

    public Task LeaveAsync(string workerId, CancellationToken cancellationToken = default)
    {
        _workers.TryRemove(workerId, out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<WorkerRegistration>> ListAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        foreach (var (id, entry) in _workers.Where(w => w.Value.Expires <= now))
        {
            _workers.TryRemove(new KeyValuePair<string, (WorkerRegistration, DateTimeOffset)>(id, entry));
        }

        return Task.FromResult<IReadOnlyList<WorkerRegistration>>([.. _workers.Values.Select(w => w.Worker).OrderBy(w => w.Id, StringComparer.Ordinal)]);
    }

    public string Describe() => "in-process worker directory";
}
