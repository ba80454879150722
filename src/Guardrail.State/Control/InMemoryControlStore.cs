namespace Guardrail.State.Control;

/// <summary>The embedded control plane: one process, so a change is applied as it is written.</summary>
public sealed class InMemoryControlStore : IControlStore
{
    private readonly Dictionary<string, string>[] _tables = [new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal)];
    private readonly Lock _lock = new();
    private long _revision;

    public event Action<ControlChange>? Changed;

    public ValueTask<string?> GetAsync(ControlTable table, string id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_tables[(int)table].GetValueOrDefault(id));
        }
    }

    public ValueTask<IReadOnlyDictionary<string, string>> ListAsync(ControlTable table, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>(_tables[(int)table], StringComparer.Ordinal));
        }
    }

    public ValueTask<ControlWrite> PutAsync(ControlTable table, string id, string? expected, string value, CancellationToken cancellationToken = default)
    {
        ControlChange change;
        lock (_lock)
        {
            var current = _tables[(int)table].GetValueOrDefault(id);
            if (current != expected)
            {
                return ValueTask.FromResult(new ControlWrite(false, current, _revision));
            }

            _tables[(int)table][id] = value;
            change = new ControlChange(table, id, ++_revision, table == ControlTable.Models ? value : null);
        }

        Changed?.Invoke(change);
        return ValueTask.FromResult(new ControlWrite(true, value, change.Revision));
    }

    public ValueTask<long> RevisionAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_revision);
        }
    }

    public Task SubscribeAsync() => Task.CompletedTask;

    public string Describe() => "memory (in-process)";
}
