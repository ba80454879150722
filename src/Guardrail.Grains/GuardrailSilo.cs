using Guardrail.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;

namespace Guardrail.Grains;

/// <summary>The gateway's co-hosted Orleans silo, holding the tenant and session grains.</summary>
public static class GuardrailSilo
{
    /// <summary>Embedded: one silo on loopback, clustered with nobody, no client gateway (the gRPC
    /// services in the same process call the grains directly), grains' options from
    /// <paramref name="state"/>. The silo starts and stops with the host.</summary>
    public static IHostApplicationBuilder AddEmbeddedSilo(this IHostApplicationBuilder builder, SiloOptions options, StateOptions state)
    {
        builder.Services.TryAddSingleton(state);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort: options.ResolveSiloPort(), gatewayPort: 0, serviceId: "guardrail", clusterId: "embedded"));
        return builder;
    }
}
