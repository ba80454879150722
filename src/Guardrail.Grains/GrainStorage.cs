using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace Guardrail.Grains;

/// <summary>How the grains keep state: <see cref="Persistent"/> false (embedded: one process, nothing
/// outlives it, so nothing is written) or true with writes <see cref="WriteBehind"/> the turns, and
/// a write that must precede its answer (a lock) awaited at most <see cref="WriteNowBound"/>.</summary>
public sealed record GrainPersistence(bool Persistent, TimeSpan WriteBehind, TimeSpan WriteNowBound);

/// <summary>Grain state in Orleans' own binary format (the codecs [GenerateSerializer] makes), not the
/// default Newtonsoft JSON: compact, and it carries internal state types and NaN as they are.</summary>
internal sealed class OrleansBinaryStorageSerializer(Serializer serializer) : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => new(serializer.SerializeToArray(input));

    public T? Deserialize<T>(BinaryData input) => serializer.Deserialize<T>(input.ToArray());
}

/// <summary>The embedded silo's storage: the activation is the state, so there is nothing to read or
/// write (the grains skip writes anyway; this satisfies their [PersistentState]).</summary>
internal sealed class NoGrainStorage : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;
}
