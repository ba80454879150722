using System.Security.Cryptography;
using System.Text;

namespace Guardrail.Audit.Records;

/// <summary>How the audit log names a text without keeping it: lower-case hex SHA-256 of its UTF-8
/// bytes (`printf %s "$text" | sha256sum` gives the same).</summary>
public static class TextDigest
{
    public static string Sha256Hex(string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var buffer = max <= 4096 ? stackalloc byte[max] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, buffer);
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(buffer[..length], hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
