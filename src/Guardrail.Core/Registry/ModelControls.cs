using System.Collections.Frozen;

namespace Guardrail.Core.Registry;

/// <summary>
/// The model registry as one node applies it: an immutable snapshot swapped whole when a change
/// arrives, so a Screen call reads one consistent picture without locks. Models without an entry
/// keep their configured behaviour.
/// </summary>
public sealed class ModelControls
{
    private readonly FrozenDictionary<string, ModelEntry> _entries;

    public ModelControls(IEnumerable<ModelEntry> entries, long revision)
    {
        _entries = entries.ToFrozenDictionary(e => e.Key, StringComparer.Ordinal);
        Revision = revision;
    }

    public static ModelControls Empty { get; } = new([], 0);

    /// <summary>The store's revision this snapshot was read at (0: never read).</summary>
    public long Revision { get; }

    public IEnumerable<ModelEntry> Entries => _entries.Values;

    public ModelEntry? Detector(string model, string version)
        => _entries.GetValueOrDefault(ModelEntry.KeyOf(ModelKind.Detector, ModelEntry.IdOf(ModelKind.Detector, model, version)));

    public ModelEntry? Target(string modelId)
        => modelId.Length == 0 ? null : _entries.GetValueOrDefault(ModelEntry.KeyOf(ModelKind.Target, modelId));

    /// <summary>The detector model's status here: its entry's, else the configured one.</summary>
    public ModelStatus DetectorStatus(string model, string version, bool configuredShadow)
        => Detector(model, version)?.Status ?? (configuredShadow ? ModelStatus.Shadow : ModelStatus.Active);

    /// <summary>The line a verdict or a skipped detector shows for an isolated model.</summary>
    public static string IsolationReason(ModelEntry entry)
    {
        var fallback = entry.Fallback.Length > 0 ? $"; fallback {entry.Fallback}" : "; no fallback";
        return $"{(entry.Kind == ModelKind.Detector ? "detector model" : "model")} {entry.Id} isolated by {entry.Actor}: {entry.Reason}{fallback}";
    }
}
