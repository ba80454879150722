using Guardrail.State.Control;

namespace Guardrail.Gateway.Control;

/// <summary>
/// Starts following the control plane once this gateway's silo runs (hosted services start in the
/// order they were added, and this one is added after the silo's) and before the listeners open,
/// so the first Screen call already applies the registry; then registers the detector models this
/// gateway serves. Both stop here, before the silo does (hosted services stop in reverse order): a
/// reconcile read that reached the control-plane grain while the silo stopped would find no silo to
/// place it on, fail, and have Orleans log that with a stack trace on every stop.
/// </summary>
public sealed class ControlPlaneStartup(ControlPlaneView view, DetectorModelRegistration registration, DetectorSet detectors) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await view.StartAsync();
        registration.Start(detectors.Registrable);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await registration.DisposeAsync();
        await view.DisposeAsync();
    }
}
