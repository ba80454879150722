namespace Guardrail.State.Workers;

/// <summary>Fixed worker addresses, for development without Redis: always listed, whether up or
/// not (the gateway's circuit breaker keeps calls away from one that is down).</summary>
public sealed class StaticWorkerList(IEnumerable<string> addresses) : IWorkerSource
{
    private readonly IReadOnlyList<WorkerRegistration> _workers = [.. addresses.Select(a => new WorkerRegistration(a, a, [], 0))];

    public Task<IReadOnlyList<WorkerRegistration>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult(_workers);

    public string Describe() => "static addresses " + string.Join(", ", _workers.Select(w => w.Address));
}
