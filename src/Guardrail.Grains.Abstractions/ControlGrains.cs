using Guardrail.State.Control;
using Orleans;

namespace Guardrail.Grains;

/// <summary>
/// The control plane's store of record: the model registry, tenants and API keys (hashes only) as
/// small JSON records, with one revision counter. One activation for the cluster (key
/// <see cref="Key"/>), so a compare-and-set, the revision it bumps and the notice that follows are
/// one step, as they must be for a node that applies changes in revision order. Written rarely
/// (operators, first sight of a model); nodes read it through their caches, never per Screen call.
/// The rules (what isolating means, policy validation, key hashing) stay in
/// <see cref="ModelRegistry"/>, <see cref="TenantDirectory"/> and <see cref="ApiKeyStore"/>.
/// </summary>
public interface IControlPlaneGrain : IGrainWithStringKey
{
    public const string Key = "control";

    Task<string?> Get(ControlTable table, string id, CancellationToken cancellationToken = default);

    Task<Dictionary<string, string>> List(ControlTable table, CancellationToken cancellationToken = default);

    /// <summary>Writes when the record is <paramref name="expected"/> now (null: absent), persists,
    /// then announces the change; the answer carries the revision after it.</summary>
    Task<ControlWrite> Put(ControlTable table, string id, string? expected, string value, CancellationToken cancellationToken = default);

    Task<long> Revision(CancellationToken cancellationToken = default);
}
