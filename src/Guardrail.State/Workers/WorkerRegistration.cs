using System.Text.Json;
using System.Text.Json.Serialization;

namespace Guardrail.State.Workers;

/// <summary>A detector worker as it announces itself: where to call it, which models (detector
/// name, model, version) it serves, and how many texts its queues hold per model.</summary>
public sealed record WorkerRegistration(string Id, string Address, IReadOnlyList<WorkerModelInfo> Models, int Capacity)
{
    public string ToJson() => JsonSerializer.Serialize(this, WorkerJson.Default.WorkerRegistration);

    public static WorkerRegistration? FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, WorkerJson.Default.WorkerRegistration);
        }
        catch (JsonException)
        {
            return null; // a damaged entry is skipped, as if that worker had not registered
        }
    }
}

public sealed record WorkerModelInfo(string Detector, string Model, string Version);

/// <summary>Where gateways learn which workers exist.</summary>
public interface IWorkerSource
{
    /// <summary>The workers alive now.</summary>
    Task<IReadOnlyList<WorkerRegistration>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>For the start-up log (never a password).</summary>
    string Describe();
}

/// <summary>
/// Worker membership with a heartbeat: a worker is listed while its last heartbeat is younger than
/// the TTL it gave, so a killed worker drops out by itself; a stopping one leaves at once.
/// The role Orleans' Redis clustering membership would play (DESIGN.md 3).
/// </summary>
public interface IWorkerDirectory : IWorkerSource
{
    Task HeartbeatAsync(WorkerRegistration worker, TimeSpan ttl, CancellationToken cancellationToken = default);

    Task LeaveAsync(string workerId, CancellationToken cancellationToken = default);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(WorkerRegistration))]
internal sealed partial class WorkerJson : JsonSerializerContext;
