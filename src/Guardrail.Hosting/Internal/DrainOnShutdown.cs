using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Guardrail.Hosting.Internal;

/// <summary>
/// Graceful shutdown. On SIGTERM, before any hosted service stops (so before Kestrel closes its
/// listener): health turns NOT_SERVING at once, and calls keep being answered for
/// <see cref="GrpcServerOptions.DrainMs"/> while load balancers and clients move away; then Kestrel
/// stops accepting, tells clients GOAWAY and lets the calls in flight finish, and the audit log
/// drains after it.
/// </summary>
internal sealed class DrainOnShutdown(ServingState serving, GrpcServerOptions options, ILogger<DrainOnShutdown> logger) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        serving.BeginDrain();
        HostingLog.Draining(logger, options.DrainMs);
        try
        {
            await Task.Delay(options.DrainMs, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            serving.EndDrain();
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
