using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Guardrail.Hosting;

/// <summary>
/// OpenTelemetry for both hosts: this project's meters ("Guardrail.*") with ASP.NET Core's and the
/// runtime's, exported for Prometheus on the ops port (/metrics) and over OTLP when configured;
/// traces of every gRPC call served (ASP.NET Core) and made (Grpc.Net.Client, so a Screen call's
/// trace continues on the detector worker) plus this project's own sources, over OTLP when an OTLP
/// endpoint is configured (none are recorded otherwise).
/// </summary>
public static class GuardrailTelemetry
{
    /// <summary>Sources and meters of this project are named "Guardrail.&lt;area&gt;".</summary>
    public const string Names = "Guardrail.*";

    /// <param name="libraryMeters">Meters of libraries the host runs, e.g. Orleans' ("Microsoft.Orleans") on the gateway's silo.</param>
    public static IServiceCollection AddGuardrailTelemetry(this IServiceCollection services, string serviceName, TelemetryOptions options, Func<Microsoft.AspNetCore.Http.HttpContext, bool> isOps, params string[] libraryMeters)
    {
        var otlp = options.EffectiveOtlpEndpoint;
        void Otlp(OtlpExporterOptions exporter)
        {
            exporter.Endpoint = otlp!;
            exporter.Protocol = options.OtlpProtocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter([Names, .. libraryMeters]).AddAspNetCoreInstrumentation().AddRuntimeInstrumentation()
                    .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0); // every scrape current (the exporter caches 300 ms by default)
                foreach (var perCall in UnwatchedPerCallInstruments)
                {
                    metrics.AddView(perCall, MetricStreamConfiguration.Drop);
                }
                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(Otlp);
                }
            });
        if (otlp is not null)
        {
            // Spans only where they go somewhere: recording them for no exporter cost every call an
            // Activity and its tags for nothing.
            telemetry.WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.TraceSampleRatio)))
                .AddSource(Names)
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !isOps(context)) // probes and scrapes are not traced
                .AddGrpcClientInstrumentation()
                .AddOtlpExporter(Otlp));
        }

        return services;
    }

    /// <summary>
    /// ASP.NET Core instruments measured on every call (or every buffer) that say nothing the others
    /// do not: dropped, so the metrics SDK is not entered for them (each
    /// measurement is a tag lookup; some 40 per Screen call cost 3 % of a gateway's CPU, profiled).
    /// aspnetcore.rate_limiting.requests (admission refusals) stays.
    /// </summary>
    private static readonly string[] UnwatchedPerCallInstruments =
    [
        "aspnetcore.routing.match_attempts",
        "http.server.active_requests", // guardrail.rpc.in_flight, read at scrape time
        "aspnetcore.rate_limiting.active_request_leases",
        "aspnetcore.rate_limiting.request_lease.duration",
        "aspnetcore.memory_pool.rented", // each buffer Kestrel rents, several a call (allocated and evicted stay)
        "aspnetcore.memory_pool.pooled", // each rent and return
    ];

    /// <summary>Serves /metrics (Prometheus text) in the operations branch of the pipeline.</summary>
    public static IApplicationBuilder UsePrometheusMetrics(this IApplicationBuilder ops) => ops.UseOpenTelemetryPrometheusScrapingEndpoint();
}
