using System.Security.Cryptography;
using System.Text;

namespace Guardrail.State.Control;

/// <summary>What a key may do. Operator keys come from configuration only (never created through
/// the API) and act on every tenant and the model registry.</summary>
public static class ApiKeyScopes
{
    public const string Screen = "screen";
    public const string Admin = "admin";
    public const string Operator = "operator";

    /// <summary>Scopes a tenant key may carry.</summary>
    public static readonly IReadOnlyList<string> TenantScopes = [Screen, Admin];
}

/// <summary>A stored API key: never the secret, only its SHA-256.</summary>
public sealed record ApiKeyRecord(
    string Id,
    string Tenant,
    string Name,
    IReadOnlyList<string> Scopes,
    string SecretSha256,
    long CreatedAtMs,
    string CreatedBy,
    long ExpiresAtMs = 0,
    long RevokedAtMs = 0,
    string RevokedBy = "")
{
    /// <summary>Why the key cannot be used at <paramref name="nowMs"/>, or null when it can.</summary>
    public string? Refusal(long nowMs)
        => RevokedAtMs > 0 ? "API key revoked"
        : ExpiresAtMs > 0 && nowMs >= ExpiresAtMs ? "API key expired"
        : null;
}

/// <summary>
/// The key a caller holds: "grk_" + 16 hex characters of key id + "_" + 43 characters of secret
/// (32 random bytes, base64url). The id finds the record; the secret is checked against the stored
/// SHA-256 in constant time. A fast hash is enough: the secret is random and 256 bits long, so
/// there is nothing to guess from a leaked hash.
/// </summary>
public readonly record struct ApiKeySecret(string KeyId, string Secret)
{
    private const string Prefix = "grk_";
    private const int IdChars = 16;

    public override string ToString() => $"{Prefix}{KeyId}_{Secret}";

    public static ApiKeySecret Generate()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdChars / 2));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return new ApiKeySecret(id, secret);
    }

    public static bool TryParse(string? text, out ApiKeySecret key)
    {
        key = default;
        if (text is null || text.Length != Prefix.Length + IdChars + 1 + 43 || !text.StartsWith(Prefix, StringComparison.Ordinal) || text[Prefix.Length + IdChars] != '_')
        {
            return false;
        }

        var id = text.Substring(Prefix.Length, IdChars);
        if (!id.All(Uri.IsHexDigit))
        {
            return false;
        }

        key = new ApiKeySecret(id.ToLowerInvariant(), text[(Prefix.Length + IdChars + 1)..]);
        return true;
    }

    public string Sha256() => Convert.ToHexStringLower(Hash());

    /// <summary>How the gateway is told of an operator key (Guardrail:Auth:OperatorKeys): "id:sha256", never the secret.</summary>
    public string OperatorEntry() => $"{KeyId}:{Sha256()}";

    /// <summary>Constant time in the secret: a wrong guess takes as long whichever byte differs.</summary>
    public bool Matches(string storedSha256)
    {
        if (storedSha256.Length != 64 || !storedSha256.All(Uri.IsHexDigit))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Hash(), Convert.FromHexString(storedSha256));
    }

    private byte[] Hash() => SHA256.HashData(Encoding.UTF8.GetBytes(Secret));
}
