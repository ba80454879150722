using Guardrail.Core.Registry;
using Guardrail.State;
using Guardrail.State.Control;

namespace Guardrail.Gateway.Control;

/// <summary>
/// Adds this gateway's detector models to the registry (checked every reconcile period, since
/// workers may bring new versions); a failed write is tried again at the next check. Target models
/// are not added on sight: a Screen caller's model_id is the caller's word, and any tenant could
/// fill the registry with made-up ids. An operator adds one by isolating it.
/// </summary>
public sealed class DetectorModelRegistration(ModelRegistry registry, ControlPlaneView control, ControlPlaneOptions options, string actor, ILogger<DetectorModelRegistration> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Registers the detector models <paramref name="detectors"/> lists now and every
    /// reconcile period, for as long as the registry as applied here lacks them (so a store that
    /// lost its data is filled again; registering is put-if-absent, a repeat costs one write).</summary>
    public void Start(Func<IEnumerable<(string Model, string Version, bool Shadow)>> detectors)
    {
        _loop = Task.Run(async () =>
        {
            do
            {
                foreach (var (model, version, shadow) in detectors())
                {
                    if (control.Models.Detector(model, version) is null && ModelEntry.IsValidName(model) && ModelEntry.IsValidName(version))
                    {
                        await RegisterAsync(model, version, shadow ? ModelStatus.Shadow : ModelStatus.Active).ConfigureAwait(false);
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

    private async Task RegisterAsync(string model, string version, ModelStatus status)
    {
        try
        {
            if (await registry.RegisterAsync(ModelKind.Detector, model, version, status, actor).ConfigureAwait(false))
            {
                GatewayLog.ModelRegistered(logger, ModelEntry.KeyOf(ModelKind.Detector, ModelEntry.IdOf(ModelKind.Detector, model, version)), status.ToString().ToLowerInvariant());
            }
        }
        catch (Exception e) when (e is StateUnavailableException or ControlPlaneException)
        {
            // the next check, a reconcile period later, tries again
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
