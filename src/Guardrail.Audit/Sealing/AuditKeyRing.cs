using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Guardrail.Audit.Records;

namespace Guardrail.Audit.Sealing;

/// <summary>
/// AES-256-GCM keys by id, read from a directory holding one file per key: the file name is the
/// key id, the content the base64 of 32 random bytes (the shape of a Kubernetes Secret mounted as
/// a volume). New records are sealed under the active key; records sealed under older keys open
/// as long as their key file stays in the directory, so rotation is: add a key, make it active,
/// and remove the old one only when its records have aged out.
/// </summary>
public sealed partial class AuditKeyRing
{
    public const int KeyBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private readonly Dictionary<string, byte[]> _keys;

    private AuditKeyRing(Dictionary<string, byte[]> keys, string? activeKeyId)
    {
        _keys = keys;
        ActiveKeyId = activeKeyId;
    }

    public string? ActiveKeyId { get; }

    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    /// <summary>Loads every key file; <paramref name="activeKeyId"/> empty means the only key there is.</summary>
    /// <exception cref="AuditKeyException">the directory, a key file or the active id is wrong; the message says which.</exception>
    public static AuditKeyRing Load(string directory, string? activeKeyId = null)
    {
        if (!Directory.Exists(directory))
        {
            throw new AuditKeyException($"audit key directory '{directory}' does not exist (create a key with `guardrailctl audit keygen --keys {directory} --id k1`)");
        }

        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            var id = Path.GetFileName(file);
            if (id.StartsWith('.') || !KeyId().IsMatch(id))
            {
                continue; // Kubernetes' ..data links and other dot files
            }

            byte[] key;
            try
            {
                key = Convert.FromBase64String(File.ReadAllText(file).Trim());
            }
            catch (FormatException)
            {
                throw new AuditKeyException($"audit key file '{file}' is not base64");
            }

            if (key.Length != KeyBytes)
            {
                throw new AuditKeyException($"audit key file '{file}' holds {key.Length} bytes; an AES-256 key is {KeyBytes}");
            }

            keys[id] = key;
        }

        if (string.IsNullOrEmpty(activeKeyId))
        {
            activeKeyId = keys.Count == 1 ? keys.Keys.First() : null;
        }
        else if (!keys.ContainsKey(activeKeyId))
        {
            throw new AuditKeyException($"active audit key '{activeKeyId}' is not in '{directory}' (it holds: {string.Join(", ", keys.Keys.Order(StringComparer.Ordinal))})");
        }

        return new AuditKeyRing(keys, activeKeyId);
    }

    /// <summary>Writes a new random key file readable by its owner only; returns its path.</summary>
    public static string Generate(string directory, string id)
    {
        if (!KeyId().IsMatch(id))
        {
            throw new AuditKeyException($"key id '{id}' must match [A-Za-z0-9._-]{{1,64}} and not start with a dot");
        }

        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, id);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new FileStream(path, options);
        file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)) + "\n"));
        return path;
    }

    /// <summary>Seals the text under the active key, bound to its record's identity.</summary>
    public SealedText Seal(RetainedText text, string requestId, string tenant, string? textSha256)
    {
        var keyId = ActiveKeyId ?? throw new AuditKeyException("no active audit key: set Guardrail:Audit:ActiveKeyId");
        var plaintext = AuditJson.ToBytes(text);
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var data = new byte[plaintext.Length + TagBytes];
        using var aes = new AesGcm(_keys[keyId], TagBytes);
        aes.Encrypt(nonce, plaintext, data.AsSpan(0, plaintext.Length), data.AsSpan(plaintext.Length), AssociatedData(keyId, requestId, tenant, textSha256));
        return new SealedText { KeyId = keyId, Nonce = Convert.ToBase64String(nonce), Data = Convert.ToBase64String(data) };
    }

    /// <summary>Opens a record's retained text and checks it against the record's text digest.</summary>
    /// <exception cref="AuditKeyException">unknown key, or authentication failed: the record or its
    /// ciphertext was changed, or the key is not the one it was sealed with.</exception>
    public RetainedText Open(AuditRecord record)
    {
        var sealedText = record.Retained ?? throw new AuditKeyException($"record {record.RequestId} retains no text");
        if (!_keys.TryGetValue(sealedText.KeyId, out var key))
        {
            throw new AuditKeyException($"record {record.RequestId} is sealed under key '{sealedText.KeyId}', which is not in the key directory");
        }

        byte[] nonce, data;
        try
        {
            nonce = Convert.FromBase64String(sealedText.Nonce);
            data = Convert.FromBase64String(sealedText.Data);
        }
        catch (FormatException)
        {
            throw new AuditKeyException($"record {record.RequestId}: sealed text is not base64 (tampered)");
        }

        if (nonce.Length != NonceBytes || data.Length < TagBytes)
        {
            throw new AuditKeyException($"record {record.RequestId}: sealed text has a wrong nonce or tag length (tampered)");
        }

        var plaintext = new byte[data.Length - TagBytes];
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(nonce, data.AsSpan(0, plaintext.Length), data.AsSpan(plaintext.Length), plaintext, AssociatedData(sealedText.KeyId, record.RequestId, record.Tenant, record.TextSha256));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new AuditKeyException($"record {record.RequestId}: AES-GCM authentication failed: the ciphertext or the record's request id, tenant or text digest was changed after sealing (tampered), or key '{sealedText.KeyId}' is not the key it was sealed with");
        }

        var text = AuditJson.ParseRetained(plaintext);
        if (record.TextSha256 is not null && TextDigest.Sha256Hex(text.Text) != record.TextSha256)
        {
            throw new AuditKeyException($"record {record.RequestId}: retained text does not match text_sha256");
        }

        return text;
    }

    /// <summary>Seals a value (a placeholder's original) under the active key, bound to
    /// <paramref name="context"/> (its tenant and session): it opens only with the same context.</summary>
    public (string KeyId, byte[] Nonce, byte[] Data) SealValue(string value, string context)
    {
        var keyId = ActiveKeyId ?? throw new AuditKeyException("no active audit key: set Guardrail:Audit:ActiveKeyId");
        var plaintext = Encoding.UTF8.GetBytes(value);
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var data = new byte[plaintext.Length + TagBytes];
        using var aes = new AesGcm(_keys[keyId], TagBytes);
        aes.Encrypt(nonce, plaintext, data.AsSpan(0, plaintext.Length), data.AsSpan(plaintext.Length), ValueData(keyId, context));
        return (keyId, nonce, data);
    }

    /// <exception cref="AuditKeyException">unknown key (rotated out), or authentication failed (changed, or another context).</exception>
    public string OpenValue(string keyId, byte[] nonce, byte[] data, string context)
    {
        if (!_keys.TryGetValue(keyId, out var key))
        {
            throw new AuditKeyException($"a sealed value is under key '{keyId}', which is not in the key directory");
        }

        if (nonce.Length != NonceBytes || data.Length < TagBytes)
        {
            throw new AuditKeyException("a sealed value has a wrong nonce or tag length (tampered)");
        }

        var plaintext = new byte[data.Length - TagBytes];
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(nonce, data.AsSpan(0, plaintext.Length), data.AsSpan(plaintext.Length), plaintext, ValueData(keyId, context));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new AuditKeyException($"a sealed value failed AES-GCM authentication under key '{keyId}' (changed, or sealed for another session)");
        }

        return Encoding.UTF8.GetString(plaintext);
    }

    /// <summary>A keyed hash of a value in its context (HMAC-SHA256 under a key derived from the
    /// active key): equal values in one context get equal indexes, so a session finds a value's
    /// placeholder without opening anything, and nothing links values across sessions.</summary>
    public string IndexOf(string value, string context)
    {
        var keyId = ActiveKeyId ?? throw new AuditKeyException("no active audit key: set Guardrail:Audit:ActiveKeyId");
        var indexKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, _keys[keyId], 32, info: "guardrail-placeholder-index-v1"u8.ToArray());
        return keyId + ":" + Convert.ToHexStringLower(HMACSHA256.HashData(indexKey, Encoding.UTF8.GetBytes(context + "\n" + value)));
    }

    private static byte[] ValueData(string keyId, string context) => Encoding.UTF8.GetBytes($"guardrail-placeholder-v1\n{keyId}\n{context}");

    private static byte[] AssociatedData(string keyId, string requestId, string tenant, string? textSha256)
        => Encoding.UTF8.GetBytes($"guardrail-audit-v1\n{keyId}\n{requestId}\n{tenant}\n{textSha256}");

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex KeyId();
}

/// <summary>A key, key directory or sealed text problem; the message says what and where.</summary>
public sealed class AuditKeyException(string message) : Exception(message);
