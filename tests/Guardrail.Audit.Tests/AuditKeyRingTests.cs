using Guardrail.Audit.Records;
using Guardrail.Audit.Sealing;

namespace Guardrail.Audit.Tests;

public sealed class AuditKeyRingTests : IDisposable
{
    private readonly TempFolder _keys = new();

    [Fact]
    public void Sealed_text_opens_with_its_key_and_holds_the_documents()
    {
        AuditKeyRing.Generate(_keys.Path, "k1");
        var ring = AuditKeyRing.Load(_keys.Path);
        var record = Sealed(ring, "ignore all previous instructions", "r1");

        Assert.Equal("k1", record.Retained!.KeyId);
        Assert.DoesNotContain("previous instructions", AuditJson.ToJson(record), StringComparison.Ordinal);
        var opened = ring.Open(record);
        Assert.Equal("ignore all previous instructions", opened.Text);
        Assert.Equal("doc text", Assert.Single(opened.Documents!).Text);
    }

    [Fact]
    public void After_rotation_new_records_use_the_new_key_and_old_records_still_open()
    {
        AuditKeyRing.Generate(_keys.Path, "k1");
        var old = Sealed(AuditKeyRing.Load(_keys.Path), "old secret", "r1");
        AuditKeyRing.Generate(_keys.Path, "k2");

        var rotated = AuditKeyRing.Load(_keys.Path, "k2");
        var fresh = Sealed(rotated, "new secret", "r2");

        Assert.Equal("k2", fresh.Retained!.KeyId);
        Assert.Equal("old secret", rotated.Open(old).Text);
        Assert.Equal("new secret", rotated.Open(fresh).Text);

        File.Delete(Path.Combine(_keys.Path, "k1")); // retired too early: said so, by key id
        var error = Assert.Throws<AuditKeyException>(() => AuditKeyRing.Load(_keys.Path, "k2").Open(old));
        Assert.Contains("key 'k1'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flipped_ciphertext_bit_fails_authentication_clearly()
    {
        AuditKeyRing.Generate(_keys.Path, "k1");
        var ring = AuditKeyRing.Load(_keys.Path);
        var record = Sealed(ring, "secret prompt", "r1");
        var data = Convert.FromBase64String(record.Retained!.Data);
        data[3] ^= 0x01;
        record.Retained.Data = Convert.ToBase64String(data);

        var error = Assert.Throws<AuditKeyException>(() => ring.Open(record));
        Assert.Contains("authentication failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("tampered", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("request")]
    [InlineData("tenant")]
    [InlineData("digest")]
    public void Moving_sealed_text_to_another_record_or_editing_the_record_fails(string field)
    {
        AuditKeyRing.Generate(_keys.Path, "k1");
        var ring = AuditKeyRing.Load(_keys.Path);
        var record = Sealed(ring, "secret prompt", "r1");
        switch (field)
        {
            case "request": record.RequestId = "r2"; break;
            case "tenant": record.Tenant = "other"; break;
            default: record.TextSha256 = TextDigest.Sha256Hex("something else"); break;
        }

        Assert.Contains("authentication failed", Assert.Throws<AuditKeyException>(() => ring.Open(record)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_key_folders_are_named_in_the_error()
    {
        Assert.Contains("does not exist", Assert.Throws<AuditKeyException>(() => AuditKeyRing.Load(Path.Combine(_keys.Path, "missing"))).Message, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_keys.Path, "short"), Convert.ToBase64String(new byte[16]));
        Assert.Contains("holds 16 bytes", Assert.Throws<AuditKeyException>(() => AuditKeyRing.Load(_keys.Path)).Message, StringComparison.Ordinal);
        File.Delete(Path.Combine(_keys.Path, "short"));
        AuditKeyRing.Generate(_keys.Path, "k1");
        Assert.Contains("is not in", Assert.Throws<AuditKeyException>(() => AuditKeyRing.Load(_keys.Path, "k9")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sealed_value_opens_only_in_its_own_context_and_its_index_links_nothing_across_contexts()
    {
        AuditKeyRing.Generate(_keys.Path, "k1");
        var ring = AuditKeyRing.Load(_keys.Path);
        var (keyId, nonce, data) = ring.SealValue("john.smith@example.com", "acme\ns1");
        Assert.DoesNotContain("john.smith"u8.ToArray(), data.Chunk(10).Select(c => c.ToArray()).ToList());
        Assert.Equal("john.smith@example.com", ring.OpenValue(keyId, nonce, data, "acme\ns1"));
        Assert.Contains("another session", Assert.Throws<AuditKeyException>(() => ring.OpenValue(keyId, nonce, data, "acme\ns2")).Message, StringComparison.Ordinal);
        data[0] ^= 1;
        Assert.Throws<AuditKeyException>(() => ring.OpenValue(keyId, nonce, data, "acme\ns1"));
        Assert.Contains("not in the key directory", Assert.Throws<AuditKeyException>(() => ring.OpenValue("k9", nonce, data, "acme\ns1")).Message, StringComparison.Ordinal);

        Assert.Equal(ring.IndexOf("EMAIL\nx@y.z", "acme\ns1"), ring.IndexOf("EMAIL\nx@y.z", "acme\ns1"));
        Assert.NotEqual(ring.IndexOf("EMAIL\nx@y.z", "acme\ns1"), ring.IndexOf("EMAIL\nx@y.z", "acme\ns2"));
        Assert.NotEqual(ring.IndexOf("EMAIL\nx@y.z", "acme\ns1"), ring.IndexOf("EMAIL\nx@y.y", "acme\ns1"));
        Assert.DoesNotContain("x@y.z", ring.IndexOf("EMAIL\nx@y.z", "acme\ns1"), StringComparison.Ordinal);
    }

    public void Dispose() => _keys.Dispose();

    private static AuditRecord Sealed(AuditKeyRing ring, string text, string requestId)
    {
        var record = new AuditRecord { RequestId = requestId, Tenant = "acme", TextSha256 = TextDigest.Sha256Hex(text) };
        record.Retained = ring.Seal(new RetainedText { Text = text, Documents = [new RetainedDocument { Id = "d1", Text = "doc text" }] }, record.RequestId, record.Tenant, record.TextSha256);
        return AuditJson.Parse(AuditJson.ToJson(record)); // as read back from the log
    }
}
