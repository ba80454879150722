using Guardrail.State.Control;

namespace Guardrail.Gateway.Control;

/// <summary>
/// Starts following the control plane once this gateway's silo runs (hosted services start in the
/// order they were added, and this one is added after the silo's) and before the listeners open,
/// so the first Screen call already applies the registry; then registers the detector models this
/// gateway serves. Both stop with the container (the view and the registration are disposed there).
/// </summary>
public sealed class ControlPlaneStartup(ControlPlaneView view, DetectorModelRegistration registration, DetectorSet detectors) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await view.StartAsync();
        registration.Start(detectors.Registrable);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
