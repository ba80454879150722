using System.Collections.Frozen;
using Grpc.Core;
using Guardrail.Contracts.Client;
using Guardrail.Hosting;
using Guardrail.State;
using Guardrail.State.Control;

namespace Guardrail.Gateway.Security;

/// <summary>
/// Turns a call's "authorization: Bearer &lt;API key&gt;" into a <see cref="Caller"/>. Operator
/// keys are checked against configured hashes, tenant keys against the key store (through the
/// control-plane cache, so a known key costs no store round trip); secrets are compared in
/// constant time. Unknown keys and wrong secrets count against the client address
/// (<see cref="FailedAuthLimiter"/>); a limited address is refused before any lookup, except
/// for keys this gateway already holds. With keys disabled every caller is the configured tenant.
/// </summary>
public sealed class ApiKeyAuthenticator(AuthOptions options, ControlPlaneView control, FailedAuthLimiter limiter, string configuredTenant, TimeProvider time)
{
    private static readonly FrozenSet<string> AllScopes = new[] { ApiKeyScopes.Screen, ApiKeyScopes.Admin, ApiKeyScopes.Operator }.ToFrozenSet(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, string> _operators = options.OperatorKeyHashes();
    private readonly Caller _embedded = new(configuredTenant, "embedded", AllScopes);

    public bool Enabled => options.Enabled;

    public async ValueTask<Caller> AuthenticateAsync(ServerCallContext context)
    {
        if (!options.Enabled)
        {
            return _embedded;
        }

        var header = context.RequestHeaders.GetValue("authorization");
        if (string.IsNullOrEmpty(header))
        {
            throw Unauthenticated("missing 'authorization: Bearer <API key>' metadata");
        }

        // A limited address gets through only with a key that checks against what is in memory.
        var peer = context.ClientAddress();
        var wait = limiter.RetryAfter(peer);
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || !ApiKeySecret.TryParse(header[7..].Trim(), out var key))
        {
            throw wait is not null ? Limited(peer, wait.Value) : Failed(peer, "authorization is not 'Bearer <API key>' with a key of the form grk_<id>_<secret>");
        }

        if (_operators.TryGetValue(key.KeyId, out var operatorHash))
        {
            return key.Matches(operatorHash) ? new Caller(configuredTenant, $"operator:{key.KeyId}", AllScopes)
                : throw (wait is not null ? Limited(peer, wait.Value) : Failed(peer, "unknown API key"));
        }

        if (wait is not null && control.CachedKey(key.KeyId) is null)
        {
            throw Limited(peer, wait.Value);
        }

        ApiKeyRecord? record;
        try
        {
            record = await control.KeyAsync(key.KeyId, context.CancellationToken).ConfigureAwait(false);
        }
        catch (StateUnavailableException e)
        {
            throw RpcErrors.Status(StatusCode.Unavailable, $"cannot check the API key: {e.Message}");
        }

        if (record is null || !key.Matches(record.SecretSha256))
        {
            throw Failed(peer, "unknown API key");
        }

        if (record.Refusal(time.GetUtcNow().ToUnixTimeMilliseconds()) is { } refusal)
        {
            throw Unauthenticated($"{refusal} (key {record.Id})");
        }

        return new Caller(record.Tenant, $"key:{record.Id}", record.Scopes.ToFrozenSet(StringComparer.Ordinal));
    }

    private static RpcException Limited(string peer, TimeSpan wait)
        => RpcErrors.Status(StatusCode.ResourceExhausted, $"too many failed authentications from {peer}; retry in {Math.Ceiling(wait.TotalSeconds):0} s", wait);

    private RpcException Failed(string peer, string why)
    {
        limiter.Failed(peer);
        return Unauthenticated(why);
    }

    private static RpcException Unauthenticated(string why) => RpcErrors.Status(StatusCode.Unauthenticated, why);
}
