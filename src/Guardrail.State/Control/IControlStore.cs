namespace Guardrail.State.Control;

/// <summary>The control plane's tables: model registry, tenants (policy), API keys (hashes only).</summary>
public enum ControlTable
{
    Models,
    Tenants,
    Keys,
}

/// <summary>A change to one control-plane record, as every node hears of it (pub/sub, or in-process).
/// Model registry changes carry the record itself (<see cref="Value"/>), so a node can apply them
/// without reading the store; tenants and keys are only named (key hashes stay off the channel).</summary>
public sealed record ControlChange(ControlTable Table, string Id, long Revision, string? Value = null);

/// <summary>What a compare-and-set write did: written, or not (and what is there now); the
/// store's revision after it.</summary>
public readonly record struct ControlWrite(bool Written, string? Current, long Revision);

/// <summary>
/// The control plane's storage: small JSON records by table and id, written by compare-and-set,
/// with one revision counter bumped by every write and a change feed. Low write rate (operators,
/// first sight of a model), read through <see cref="ControlPlaneView"/>'s caches on the Screen path.
/// Implementations: in memory (embedded) and Redis (cluster). Failures to reach the store are
/// <see cref="StateUnavailableException"/>.
/// </summary>
public interface IControlStore
{
    ValueTask<string?> GetAsync(ControlTable table, string id, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyDictionary<string, string>> ListAsync(ControlTable table, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="value"/> when the record is <paramref name="expected"/> now
    /// (null: absent), bumps the revision and announces the change, atomically.</summary>
    ValueTask<ControlWrite> PutAsync(ControlTable table, string id, string? expected, string value, CancellationToken cancellationToken = default);

    ValueTask<long> RevisionAsync(CancellationToken cancellationToken = default);

    /// <summary>Raised for each write this node hears of. Best effort in a cluster (pub/sub drops
    /// messages while a connection is down), so readers also compare <see cref="RevisionAsync"/>.</summary>
    event Action<ControlChange>? Changed;

    /// <summary>Starts listening for other nodes' writes (no-op in memory).</summary>
    Task SubscribeAsync();

    /// <summary>For logs: where it lives, never a password.</summary>
    string Describe();
}

/// <summary>Why a control-plane operation was refused (mapped to a gRPC status by the Admin API).</summary>
public enum ControlError
{
    NotFound,
    AlreadyExists,
    Invalid,
    Conflict,
}

public sealed class ControlPlaneException(ControlError error, string message) : Exception(message)
{
    public ControlError Error { get; } = error;
}
