namespace Guardrail.State.Control;

/// <summary>Tenant API keys: created with a secret shown once, listed and revoked per tenant.
/// Rotation is two valid keys at once: create the new one, move callers, revoke the old one.</summary>
public sealed class ApiKeyStore(IControlStore store, TenantDirectory tenants, TimeProvider? time = null)
{
    private const int MaxNameChars = 128;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async ValueTask<(ApiKeySecret Secret, ApiKeyRecord Record)> CreateAsync(
        string tenantId, string name, IReadOnlyList<string> scopes, long expiresAtMs, string actor, CancellationToken cancellationToken = default)
    {
        if (scopes.Count == 0 || scopes.Any(s => !ApiKeyScopes.TenantScopes.Contains(s)))
        {
            throw new ControlPlaneException(ControlError.Invalid, $"scopes must be one or more of {string.Join(", ", ApiKeyScopes.TenantScopes)} (operator keys come from Guardrail:Auth:OperatorKeys only)");
        }

        if (name.Length > MaxNameChars)
        {
            throw new ControlPlaneException(ControlError.Invalid, $"name has {name.Length} characters; the limit is {MaxNameChars}");
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (expiresAtMs != 0 && expiresAtMs <= now)
        {
            throw new ControlPlaneException(ControlError.Invalid, "expiry is in the past");
        }

        _ = await tenants.GetAsync(tenantId, cancellationToken).ConfigureAwait(false)
            ?? throw new ControlPlaneException(ControlError.NotFound, $"tenant '{tenantId}' does not exist");
        var secret = ApiKeySecret.Generate();
        var record = new ApiKeyRecord(secret.KeyId, tenantId, name, [.. scopes.Distinct(StringComparer.Ordinal)], secret.Sha256(), now, actor, expiresAtMs);
        var written = await store.PutAsync(ControlTable.Keys, record.Id, null, ControlJson.Write(record), cancellationToken).ConfigureAwait(false);
        return written.Written ? (secret, record) : throw new ControlPlaneException(ControlError.Conflict, "key id collision; try again");
    }

    public async ValueTask<ApiKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
        => ControlJson.ReadKey(await store.GetAsync(ControlTable.Keys, keyId, cancellationToken).ConfigureAwait(false));

    public async ValueTask<IReadOnlyList<ApiKeyRecord>> ListAsync(string tenantId, CancellationToken cancellationToken = default)
        => [.. (await store.ListAsync(ControlTable.Keys, cancellationToken).ConfigureAwait(false)).Values
            .Select(ControlJson.ReadKey).OfType<ApiKeyRecord>()
            .Where(k => k.Tenant == tenantId)
            .OrderBy(k => k.CreatedAtMs)];

    /// <summary>Revoking a revoked key is a no-op that answers the record; a key of another tenant is "not found".</summary>
    public async ValueTask<ApiKeyRecord> RevokeAsync(string tenantId, string keyId, string actor, CancellationToken cancellationToken = default)
    {
        var (record, _) = await ControlUpdate.ApplyAsync(store, ControlTable.Keys, keyId, ControlJson.ReadKey, current =>
            current is null || current.Tenant != tenantId
                ? throw new ControlPlaneException(ControlError.NotFound, $"tenant '{tenantId}' has no key '{keyId}'")
                : current.RevokedAtMs > 0 ? current : current with { RevokedAtMs = _time.GetUtcNow().ToUnixTimeMilliseconds(), RevokedBy = actor },
            ControlJson.Write, cancellationToken).ConfigureAwait(false);
        return record;
    }
}
