using Guardrail.Core.Registry;

namespace Guardrail.State.Control;

/// <summary>
/// The model registry: every detector model version and every protected (target) model a node
/// has seen or an operator named, with its status. Isolate / shadow / restore are the incident
/// controls; each is one compare-and-set write that every node hears of.
/// </summary>
public sealed class ModelRegistry(IControlStore store, TimeProvider? time = null)
{
    private const int MaxReasonChars = 512;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Every entry, with the revision read before them (so a later change is noticed).</summary>
    public ValueTask<ModelControls> ReadAsync(CancellationToken cancellationToken = default) => ReadAsync(store, cancellationToken);

    /// <summary>Every entry as <paramref name="source"/> has them (a worker reads what the cluster publishes).</summary>
    public static async ValueTask<ModelControls> ReadAsync(IControlSource source, CancellationToken cancellationToken = default)
    {
        var revision = await source.RevisionAsync(cancellationToken).ConfigureAwait(false);
        var records = await source.ListAsync(ControlTable.Models, cancellationToken).ConfigureAwait(false);
        return new ModelControls(records.Values.Select(ControlJson.ReadModel).OfType<ModelEntry>(), revision);
    }

    /// <summary>Adds a model a node has seen, with its configured status; an existing entry is
    /// left as it is (the registry, not configuration, is the truth once a model is known).</summary>
    /// <returns>True when this call added it.</returns>
    public async ValueTask<bool> RegisterAsync(ModelKind kind, string name, string version, ModelStatus status, string actor, CancellationToken cancellationToken = default)
    {
        Validate(kind, name, version);
        var entry = new ModelEntry(kind, name, version, status, "first seen", actor, Now(), PreviousStatus: status == ModelStatus.Shadow ? ModelStatus.Shadow : ModelStatus.Active);
        var written = await store.PutAsync(ControlTable.Models, entry.Key, null, ControlJson.Write(entry), cancellationToken).ConfigureAwait(false);
        return written.Written;
    }

    /// <summary>Takes a model out of use. A target model that was never seen is added (an operator
    /// may isolate ahead of traffic); a detector model must be known.</summary>
    public ValueTask<(ModelEntry Entry, long Revision)> IsolateAsync(ModelKind kind, string id, string reason, string fallback, string actor, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ControlPlaneException(ControlError.Invalid, "reason is empty: say why the model is isolated (it is shown in every verdict)");
        }

        ValidateFallback(kind, id, fallback);
        return ChangeAsync(kind, id, reason, actor, allowNew: kind == ModelKind.Target, current => current with
        {
            Status = ModelStatus.Isolated,
            Fallback = fallback,
            PreviousStatus = current.Status == ModelStatus.Isolated ? current.PreviousStatus : current.Status,
        }, cancellationToken);
    }

    /// <summary>Scored and recorded, never enforced.</summary>
    public ValueTask<(ModelEntry Entry, long Revision)> ShadowAsync(ModelKind kind, string id, string reason, string actor, CancellationToken cancellationToken = default)
        => ChangeAsync(kind, id, reason, actor, allowNew: false, current => current with { Status = ModelStatus.Shadow, Fallback = string.Empty, PreviousStatus = ModelStatus.Shadow }, cancellationToken);

    /// <summary>An isolated model returns to the status it had before; a shadow model becomes active.</summary>
    public ValueTask<(ModelEntry Entry, long Revision)> RestoreAsync(ModelKind kind, string id, string reason, string actor, CancellationToken cancellationToken = default)
        => ChangeAsync(kind, id, reason, actor, allowNew: false, current => current with
        {
            Status = current.Status == ModelStatus.Isolated ? current.PreviousStatus : ModelStatus.Active,
            Fallback = string.Empty,
            PreviousStatus = current.Status == ModelStatus.Isolated ? current.PreviousStatus : ModelStatus.Active,
        }, cancellationToken);

    private async ValueTask<(ModelEntry Entry, long Revision)> ChangeAsync(
        ModelKind kind, string id, string reason, string actor, bool allowNew, Func<ModelEntry, ModelEntry> change, CancellationToken cancellationToken)
    {
        var (name, version) = Parse(kind, id);
        if (reason.Length > MaxReasonChars)
        {
            throw new ControlPlaneException(ControlError.Invalid, $"reason has {reason.Length} characters; the limit is {MaxReasonChars}");
        }

        var key = ModelEntry.KeyOf(kind, id);
        return await ControlUpdate.ApplyAsync(store, ControlTable.Models, key, ControlJson.ReadModel, current =>
        {
            if (current is null && !allowNew)
            {
                throw new ControlPlaneException(ControlError.NotFound, $"{Describe(kind)} '{id}' is not in the registry (guardrailctl models list shows what is)");
            }

            var existing = current ?? new ModelEntry(kind, name, version, ModelStatus.Active, string.Empty, actor, 0);
            return change(existing) with { Reason = reason, Actor = actor, ChangedAtMs = Now() };
        }, ControlJson.Write, cancellationToken).ConfigureAwait(false);
    }

    private static (string Name, string Version) Parse(ModelKind kind, string id)
    {
        if (kind == ModelKind.Detector)
        {
            return ModelEntry.TryParseDetectorId(id, out var name, out var version)
                ? (name, version)
                : throw new ControlPlaneException(ControlError.Invalid, $"detector model '{id}' must be model@version, e.g. injection-classifier@1.0.0");
        }

        Validate(kind, id, string.Empty);
        return (id, string.Empty);
    }

    private static void Validate(ModelKind kind, string name, string version)
    {
        if (!ModelEntry.IsValidName(name) || (kind == ModelKind.Detector && !ModelEntry.IsValidName(version)))
        {
            throw new ControlPlaneException(ControlError.Invalid, $"{Describe(kind)} name '{name}' must be 1-128 of A-Z a-z 0-9 . _ : / + -");
        }
    }

    private static void ValidateFallback(ModelKind kind, string id, string fallback)
    {
        if (fallback.Length == 0)
        {
            return;
        }

        if (fallback == id)
        {
            throw new ControlPlaneException(ControlError.Invalid, $"fallback '{fallback}' is the model being isolated");
        }

        _ = Parse(kind, fallback);
    }

    private static string Describe(ModelKind kind) => kind == ModelKind.Detector ? "detector model" : "target model";

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
