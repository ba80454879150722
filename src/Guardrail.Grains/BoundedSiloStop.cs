using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Guardrail.Grains;

/// <summary>
/// Orleans' silo, stopped within a bound. With Redis away, the silo's membership agent retries
/// writing its status ("shutting down", "dead") for a minute at each of two stages, and the gateway
/// took 123 s to exit on SIGTERM. Past <see cref="Bound"/> this stops waiting (the others declare the
/// silo dead by its missed probes, as after a crash) and lets the host finish: the audit log
/// flushes and the process exits.
/// </summary>
internal sealed class BoundedSiloStop(IHostedService silo, ILogger<BoundedSiloStop> logger) : IHostedService
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>Wraps the silo's hosted service that UseOrleans registered.</summary>
    public static void Decorate(IServiceCollection services)
    {
        var silo = services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.FullName == "Orleans.Hosting.SiloHostedService");
        services.Remove(silo);
        services.AddSingleton<IHostedService>(provider => new BoundedSiloStop(
            (IHostedService)ActivatorUtilities.CreateInstance(provider, silo.ImplementationType!), provider.GetRequiredService<ILogger<BoundedSiloStop>>()));
    }

    public Task StartAsync(CancellationToken cancellationToken) => silo.StartAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var stopping = silo.StopAsync(cancellationToken);
        if (await Task.WhenAny(stopping, Task.Delay(Bound, CancellationToken.None)).ConfigureAwait(false) != stopping)
        {
            GrainLog.SiloStopAbandoned(logger, Bound.TotalSeconds);
        }
    }
}
