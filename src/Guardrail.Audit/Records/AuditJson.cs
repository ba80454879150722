using System.Text.Json;
using System.Text.Json.Serialization;

namespace Guardrail.Audit.Records;

/// <summary>The one JSON shape of audit records (source-generated: no reflection on the write path).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AuditRecord))]
[JsonSerializable(typeof(RetainedText))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;

public static class AuditJson
{
    /// <summary>The record as one line of UTF-8 JSON, ending in '\n'.</summary>
    public static byte[] ToLine(AuditRecord record)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(record, AuditJsonContext.Default.AuditRecord);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }

    public static string ToJson(AuditRecord record) => JsonSerializer.Serialize(record, AuditJsonContext.Default.AuditRecord);

    /// <summary>Parses one record; <see cref="JsonException"/> when the line is not one.</summary>
    public static AuditRecord Parse(ReadOnlySpan<byte> json)
        => JsonSerializer.Deserialize(json, AuditJsonContext.Default.AuditRecord) ?? throw new JsonException("null is not an audit record");

    public static AuditRecord Parse(string json)
        => JsonSerializer.Deserialize(json, AuditJsonContext.Default.AuditRecord) ?? throw new JsonException("null is not an audit record");

    internal static byte[] ToBytes(RetainedText text) => JsonSerializer.SerializeToUtf8Bytes(text, AuditJsonContext.Default.RetainedText);

    internal static RetainedText ParseRetained(ReadOnlySpan<byte> json)
        => JsonSerializer.Deserialize(json, AuditJsonContext.Default.RetainedText) ?? throw new JsonException("null is not retained text");
}
