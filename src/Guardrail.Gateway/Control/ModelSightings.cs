using System.Collections.Concurrent;
using Guardrail.Core.Registry;
using Guardrail.State;
using Guardrail.State.Control;

namespace Guardrail.Gateway.Control;

/// <summary>
/// Adds to the registry what this gateway meets: its detector models (checked every reconcile
/// period, since workers may bring new versions) and each target model_id the first time a Screen
/// request names it, up to Guardrail:ControlPlane:MaxTargetModels. Writes happen off the request
/// path; a failed one is tried again at the next sighting.
/// </summary>
public sealed class ModelSightings(ModelRegistry registry, ControlPlaneView control, ControlPlaneOptions options, string actor, ILogger<ModelSightings> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, byte> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private long _revision;

    /// <summary>Called per Screen request with a model_id: a dictionary lookup unless it is new.</summary>
    public void SawTarget(string modelId)
    {
        if (modelId.Length == 0 || control.Models.Target(modelId) is not null || !ModelEntry.IsValidName(modelId)
            || _pending.Count >= options.MaxTargetModels || !_pending.TryAdd("t:" + modelId, 0))
        {
            return;
        }

        _ = RegisterAsync(ModelKind.Target, modelId, string.Empty, ModelStatus.Active);
    }

    /// <summary>Registers the detector models <paramref name="detectors"/> lists now and every
    /// reconcile period, for as long as the registry as applied here lacks them (so a store that
    /// lost its data is filled again; registering is put-if-absent, a repeat costs one write).</summary>
    public void Start(Func<IEnumerable<(string Model, string Version, bool Shadow)>> detectors)
    {
        control.ModelsApplied += models =>
        {
            if (models.Revision < Interlocked.Exchange(ref _revision, models.Revision))
            {
                _pending.Clear(); // the store was reset: target models are new to it again
            }
        };
        _loop = Task.Run(async () =>
        {
            do
            {
                foreach (var (model, version, shadow) in detectors())
                {
                    if (control.Models.Detector(model, version) is null && ModelEntry.IsValidName(model) && ModelEntry.IsValidName(version))
                    {
                        await RegisterAsync(ModelKind.Detector, model, version, shadow ? ModelStatus.Shadow : ModelStatus.Active).ConfigureAwait(false);
                    }
                }
            }
            while (await Wait().ConfigureAwait(false));
        });
    }

    private async Task<bool> Wait()
    {
        try
        {
            await Task.Delay(options.ReconcileMs, _stop.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task RegisterAsync(ModelKind kind, string name, string version, ModelStatus status)
    {
        var key = ModelEntry.KeyOf(kind, ModelEntry.IdOf(kind, name, version));
        try
        {
            if (await registry.RegisterAsync(kind, name, version, status, actor).ConfigureAwait(false))
            {
                GatewayLog.ModelRegistered(logger, key, status.ToString().ToLowerInvariant());
            }
        }
        catch (Exception e) when (e is StateUnavailableException or ControlPlaneException)
        {
            _pending.TryRemove(key, out _); // seen again later, tried again then
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }
}
