using Guardrail.Core.Screening;
using Orleans;

namespace Guardrail.State.Privacy;

/// <summary>A PII value sealed by the gateway (AES-256-GCM under an audit key, bound to its
/// tenant and session): the session's state holds only these, never a value in clear.</summary>
[GenerateSerializer]
public sealed record SealedValue([property: Id(0)] string KeyId, [property: Id(1)] byte[] Nonce, [property: Id(2)] byte[] Data);

/// <summary>A value to give a placeholder: its kind (PERSON, EMAIL...), its index (a keyed hash
/// of the value, the same for the same value in one session, so lookups need no decryption) and the
/// value sealed.</summary>
[GenerateSerializer]
public sealed record PlaceholderRequest([property: Id(0)] string Kind, [property: Id(1)] string Index, [property: Id(2)] SealedValue Sealed);

/// <summary>
/// One session's placeholders: the same value (by index) keeps its placeholder all session long,
/// numbered per kind in the order values first came ([PERSON_1], [PERSON_2], [EMAIL_1]). Kept in
/// the session's state, so it persists and expires with the session.
/// </summary>
[GenerateSerializer]
public sealed class PlaceholderMap
{
    [Id(0)] public Dictionary<string, string> ByIndex { get; set; } = new(StringComparer.Ordinal);

    [Id(1)] public Dictionary<string, SealedValue> Originals { get; set; } = new(StringComparer.Ordinal);

    [Id(2)] public Dictionary<string, int> Counts { get; set; } = new(StringComparer.Ordinal);

    public int Count => Originals.Count;

    /// <summary>Each value's placeholder, new ones numbered on; null where the session already holds
    /// <paramref name="limit"/> placeholders (that value is then redacted without one).</summary>
    /// <returns>The placeholders, and whether any is new (the caller persists then).</returns>
    public (string?[] Placeholders, bool Added) Assign(IReadOnlyList<PlaceholderRequest> values, int limit)
    {
        var placeholders = new string?[values.Count];
        var added = false;
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (ByIndex.TryGetValue(value.Index, out var existing))
            {
                placeholders[i] = existing;
                continue;
            }

            if (Originals.Count >= limit)
            {
                continue;
            }

            var number = Counts.GetValueOrDefault(value.Kind) + 1;
            Counts[value.Kind] = number;
            var placeholder = Placeholders.Of(value.Kind, number);
            ByIndex[value.Index] = placeholder;
            Originals[placeholder] = value.Sealed;
            placeholders[i] = placeholder;
            added = true;
        }

        return (placeholders, added);
    }

    /// <summary>The sealed originals of these placeholders; null for one the session does not hold.</summary>
    public SealedValue?[] Lookup(IReadOnlyList<string> placeholders)
        => [.. placeholders.Select(p => Originals.GetValueOrDefault(p))];
}
