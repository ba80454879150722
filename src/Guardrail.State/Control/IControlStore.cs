using Orleans;

namespace Guardrail.State.Control;

/// <summary>The control plane's tables: model registry, tenants (policy), API keys (hashes only).</summary>
[GenerateSerializer]
public enum ControlTable
{
    Models,
    Tenants,
    Keys,
}

/// <summary>A change to one control-plane record, as every node hears of it (a Redis channel, or in-process).
/// Model registry changes carry the record itself (<see cref="Value"/>), so a node can apply them
/// without reading the store; tenants and keys are only named (key hashes stay off the channel).</summary>
public sealed record ControlChange(ControlTable Table, string Id, long Revision, string? Value = null);

/// <summary>What a compare-and-set write did: written, or not (and what is there now); the
/// store's revision after it.</summary>
[GenerateSerializer]
public readonly record struct ControlWrite(bool Written, string? Current, long Revision);

/// <summary>How a node hears of control-plane writes: best effort (a Redis channel drops messages
/// while a connection is down), so readers also compare revisions.</summary>
public interface IControlFeed
{
    /// <summary>Raised for each write this node hears of.</summary>
    event Action<ControlChange>? Changed;

    /// <summary>Starts listening for other nodes' writes (no-op in one process).</summary>
    Task SubscribeAsync();
}

/// <summary>What a node reads of the control plane: small JSON records by table and id, one
/// revision counter bumped by every write, and the change feed. Read through
/// <see cref="ControlPlaneView"/>'s caches on the Screen path. Failures to reach it are
/// <see cref="StateUnavailableException"/>.</summary>
public interface IControlSource : IControlFeed
{
    ValueTask<string?> GetAsync(ControlTable table, string id, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyDictionary<string, string>> ListAsync(ControlTable table, CancellationToken cancellationToken = default);

    ValueTask<long> RevisionAsync(CancellationToken cancellationToken = default);

    /// <summary>For logs: where it lives, never a password.</summary>
    string Describe();
}

/// <summary>
/// The control plane's store of record: a source that also writes, by compare-and-set. Low write
/// rate (operators, first sight of a model). The implementation is the control-plane grain
/// (Guardrail.Grains), in the embedded silo or the cluster.
/// </summary>
public interface IControlStore : IControlSource
{
    /// <summary>Writes <paramref name="value"/> when the record is <paramref name="expected"/> now
    /// (null: absent), bumps the revision and announces the change, atomically.</summary>
    ValueTask<ControlWrite> PutAsync(ControlTable table, string id, string? expected, string value, CancellationToken cancellationToken = default);
}

/// <summary>How the store of record tells every node of a write it has persisted: the change, and
/// the whole model registry after it (small), for nodes that read the registry outside the
/// cluster (detector workers).</summary>
public interface IControlAnnouncer
{
    Task AnnounceAsync(ControlChange change, IReadOnlyDictionary<string, string> models, CancellationToken cancellationToken);
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
