using System.Text.Json;
using System.Text.Json.Serialization;
using Guardrail.Core.Policy;
using Guardrail.Core.Registry;

namespace Guardrail.State.Control;

/// <summary>How control-plane records are stored: JSON, snake_case, enums by name.</summary>
public static class ControlJson
{
    public static string Write(ModelEntry entry) => JsonSerializer.Serialize(entry, ControlJsonContext.Default.ModelEntry);

    public static string Write(TenantRecord tenant) => JsonSerializer.Serialize(tenant, ControlJsonContext.Default.TenantRecord);

    public static string Write(ApiKeyRecord key) => JsonSerializer.Serialize(key, ControlJsonContext.Default.ApiKeyRecord);

    public static ModelEntry? ReadModel(string? json) => Read(json, ControlJsonContext.Default.ModelEntry);

    public static TenantRecord? ReadTenant(string? json)
    {
        var tenant = Read(json, ControlJsonContext.Default.TenantRecord);
        if (tenant is not null)
        {
            // Category names are case-insensitive, as in configuration.
            tenant.Policy.Categories = new Dictionary<string, CategoryPolicyOptions>(tenant.Policy.Categories, StringComparer.OrdinalIgnoreCase);
        }

        return tenant;
    }

    public static ApiKeyRecord? ReadKey(string? json) => Read(json, ControlJsonContext.Default.ApiKeyRecord);

    /// <summary>A damaged record reads as absent rather than failing every node that loads it.</summary>
    private static T? Read<T>(string? json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ModelEntry))]
[JsonSerializable(typeof(TenantRecord))]
[JsonSerializable(typeof(ApiKeyRecord))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
