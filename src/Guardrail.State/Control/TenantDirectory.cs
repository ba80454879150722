using System.Text.Json;
using Guardrail.Core.Policy;

namespace Guardrail.State.Control;

/// <summary>A tenant as stored: its policy, and which revision of it this is.</summary>
public sealed record TenantRecord(string Id, PolicyOptions Policy, long Revision, long CreatedAtMs, long UpdatedAtMs, string UpdatedBy);

/// <summary>
/// The tenants and their policies. The configured tenant (Guardrail:Policy:TenantId) always
/// exists with the configured policy until an update stores one; new tenants start from the
/// configured policy too.
/// </summary>
public sealed class TenantDirectory(IControlStore store, PolicyOptions configured, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string ConfiguredTenant => configured.TenantId;

    public async ValueTask<TenantRecord?> GetAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        var stored = ControlJson.ReadTenant(await store.GetAsync(ControlTable.Tenants, tenantId, cancellationToken).ConfigureAwait(false));
        return stored ?? (tenantId == configured.TenantId ? Configured() : null);
    }

    public async ValueTask<IReadOnlyList<TenantRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        var stored = (await store.ListAsync(ControlTable.Tenants, cancellationToken).ConfigureAwait(false)).Values
            .Select(ControlJson.ReadTenant).OfType<TenantRecord>().ToList();
        if (stored.All(t => t.Id != configured.TenantId))
        {
            stored.Add(Configured());
        }

        return [.. stored.OrderBy(t => t.Id, StringComparer.Ordinal)];
    }

    public async ValueTask<TenantRecord> CreateAsync(string tenantId, PolicyOptions? policy, string actor, CancellationToken cancellationToken = default)
    {
        if (!PolicyOptions.IsValidTenantId(tenantId))
        {
            throw new ControlPlaneException(ControlError.Invalid, $"tenant id '{tenantId}' must be 1-64 of A-Z a-z 0-9 . _ - (it is part of state store keys)");
        }

        if (tenantId == configured.TenantId)
        {
            throw new ControlPlaneException(ControlError.AlreadyExists, $"tenant '{tenantId}' already exists (it is the configured tenant, Guardrail:Policy:TenantId)");
        }

        var now = Now();
        var record = new TenantRecord(tenantId, Checked(tenantId, policy ?? Copy(configured), 1), 1, now, now, actor);
        var written = await store.PutAsync(ControlTable.Tenants, tenantId, null, ControlJson.Write(record), cancellationToken).ConfigureAwait(false);
        return written.Written ? record : throw new ControlPlaneException(ControlError.AlreadyExists, $"tenant '{tenantId}' already exists");
    }

    /// <param name="expectedRevision">The revision the caller read and changed; 0 for "whatever is there".
    /// A different one answers <see cref="ControlError.Conflict"/>, so two operators do not overwrite each other.</param>
    public async ValueTask<TenantRecord> UpdatePolicyAsync(string tenantId, PolicyOptions policy, long expectedRevision, string actor, CancellationToken cancellationToken = default)
    {
        var (record, _) = await ControlUpdate.ApplyAsync(store, ControlTable.Tenants, tenantId, ControlJson.ReadTenant, current =>
        {
            current ??= tenantId == configured.TenantId ? Configured() : throw new ControlPlaneException(ControlError.NotFound, $"tenant '{tenantId}' does not exist");
            if (expectedRevision > 0 && current.Revision != expectedRevision)
            {
                throw new ControlPlaneException(ControlError.Conflict, $"tenant '{tenantId}' policy is at revision {current.Revision}, not {expectedRevision}: read it again and reapply the change");
            }

            var revision = current.Revision + 1;
            return current with { Policy = Checked(tenantId, policy, revision), Revision = revision, UpdatedAtMs = Now(), UpdatedBy = actor };
        }, ControlJson.Write, cancellationToken).ConfigureAwait(false);
        return record;
    }

    private TenantRecord Configured() => new(configured.TenantId, configured, 0, 0, 0, "configuration");

    /// <summary>The policy as it will be stored: this tenant's id, a version label (its own, or
    /// "r&lt;revision&gt;" when it has none, carries an earlier "r&lt;n&gt;" or the configured policy's), validated.</summary>
    private PolicyOptions Checked(string tenantId, PolicyOptions policy, long revision)
    {
        var copy = Copy(policy);
        copy.TenantId = tenantId;
        var generated = string.IsNullOrWhiteSpace(policy.Version) || policy.Version == configured.Version
            || policy.Version.StartsWith('r') && long.TryParse(policy.Version[1..], out _);
        copy.Version = generated ? $"r{revision}" : policy.Version;
        var errors = copy.Validate().ToList();
        return errors.Count == 0 ? copy : throw new ControlPlaneException(ControlError.Invalid, string.Join("; ", errors.Select(e => e.Replace($"{PolicyOptions.Section}:", string.Empty, StringComparison.Ordinal))));
    }

    private static PolicyOptions Copy(PolicyOptions policy)
    {
        var json = ControlJson.Write(new TenantRecord(policy.TenantId, policy, 0, 0, 0, string.Empty));
        return ControlJson.ReadTenant(json)!.Policy;
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
