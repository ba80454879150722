namespace Guardrail.State.Control;

/// <summary>The embedded gateway's feed: one process, so a change is heard as it is announced.</summary>
public sealed class LocalControlFeed : IControlFeed, IControlAnnouncer
{
    public event Action<ControlChange>? Changed;

    public Task SubscribeAsync() => Task.CompletedTask;

    public Task AnnounceAsync(ControlChange change, IReadOnlyDictionary<string, string> models, CancellationToken cancellationToken)
    {
        Changed?.Invoke(change);
        return Task.CompletedTask;
    }
}
