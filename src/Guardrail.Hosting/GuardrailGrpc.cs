using Grpc.AspNetCore.Server;
using Guardrail.Hosting.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Guardrail.Hosting;

/// <summary>
/// gRPC the way both hosts serve it: Grpc.AspNetCore with the message-size limits, strict request
/// parsing (<see cref="Contracts.Server.StrictBinding{TService}"/>), capped deadlines, admission (calls in flight,
/// per client), errors that never leak, grpc.health.v1 wired to readiness, server reflection, and
/// a drain period on shutdown. Hosts add their services and readiness checks.
/// </summary>
public static class GuardrailGrpc
{
    /// <summary>Tag of the health checks behind readiness (grpc.health.v1, /readyz).</summary>
    public const string Ready = "ready";

    /// <param name="services">The host's services; each is a grpc.health.v1 service name too.</param>
    /// <returns>The health checks builder, for the host's own readiness checks (tag them <see cref="Ready"/>).</returns>
    public static IHealthChecksBuilder AddGuardrailGrpc(this IServiceCollection services, GrpcServerOptions options, IEnumerable<string> healthServices)
    {
        services.AddSingleton(options);
        services.AddSingleton<ServerErrorInterceptor>(); // registered, Grpc.AspNetCore takes it from DI instead of making one per call
        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxReceiveMessageBytes;
            grpc.MaxSendMessageSize = options.MaxSendMessageBytes;
            grpc.EnableDetailedErrors = false;
            grpc.Interceptors.Add<ServerErrorInterceptor>();
        }).AddJsonTranscoding();
        services.AddGrpcReflection();
        services.AddGrpcSwagger();
        services.AddSwaggerGen(openApi =>
        {
            openApi.SwaggerDoc("v1", new Microsoft.OpenApi.Models.OpenApiInfo
            {
                Title = "Guardrail",
                Version = "v1",
                Description = "Screen (and Admin) as HTTP/JSON: the gRPC services through gRPC JSON transcoding. Authentication: 'authorization: Bearer <API key>'. Errors are {code, message, details} with the gRPC status as code.",
            });
            var contractsDocs = Path.Combine(AppContext.BaseDirectory, "Guardrail.Contracts.xml");
            if (File.Exists(contractsDocs))
            {
                openApi.IncludeGrpcXmlComments(contractsDocs, includeControllerXmlComments: true);
            }
        });
        services.AddCallAdmission(options);
        services.AddSingleton<ServingState>();
        services.AddHostedService<DrainOnShutdown>();
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromMilliseconds(options.DrainMs + options.MaxCallDurationMs) + TimeSpan.FromSeconds(5));
        return services.AddGrpcHealthChecks(health =>
            {
                foreach (var name in healthServices.Prepend(string.Empty))
                {
                    health.Services.Map(name, check => check.Tags.Contains(Ready));
                }
            })
            .AddCheck<ServingState>("serving", tags: [Ready]);
    }

    /// <summary>The request pipeline: the operations endpoints on their listener (/healthz,
    /// /readyz, /metrics from <see cref="GuardrailTelemetry"/>), the OpenAPI document and its UI on
    /// the HTTP/JSON listener (/openapi/v1.json, /docs), then the gRPC middlewares, routing,
    /// deadlines, admission, health and reflection. Map the host's services after it with
    /// <see cref="MapGuardrailService{TService}"/>.</summary>
    /// <param name="moreOps">More of the host's own on the operations listener (the gateway's Orleans Dashboard).</param>
    public static void UseGuardrailGrpc(this WebApplication app, ServiceListeners listeners, Action<IApplicationBuilder>? moreOps = null)
    {
        app.MapWhen(listeners.IsOps, ops =>
        {
            ops.UseHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = OpsWriter });
            ops.UseHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready), ResponseWriter = OpsWriter });
            ops.UsePrometheusMetrics();
            moreOps?.Invoke(ops);
            ops.Run(context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return context.Response.WriteAsync("not found: try /metrics, /healthz or /readyz\n", context.RequestAborted);
            });
        });
        app.UseWhen(listeners.IsHttp, http =>
        {
            http.UseSwagger(openApi => openApi.RouteTemplate = "openapi/{documentName}.json");
            http.UseSwaggerUI(ui =>
            {
                ui.RoutePrefix = "docs";
                ui.SwaggerEndpoint("/openapi/v1.json", "Guardrail v1");
            });
            http.UseMiddleware<JsonBodyLimit>();
        });
        app.UseMiddleware<GrpcCallObserver>();
        app.UseRouting();
        app.UseMiddleware<DeadlineCap>();
        app.UseRateLimiter();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
    }

    /// <summary>Serves a service (bound through <see cref="Contracts.Server.StrictBinding{TService}"/>) under the per-client admission.</summary>
    public static GrpcServiceEndpointConventionBuilder MapGuardrailService<TService>(this WebApplication app)
        where TService : class
        => app.MapGrpcService<TService>().RequireRateLimiting(CallAdmission.PerClientPolicy);

    /// <summary>"ok" or "ready", or 503 with each failing check's reason, as plain text.</summary>
    private static Task OpsWriter(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain";
        var failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => e.Value.Description ?? e.Key).ToList();
        var text = failing.Count > 0 ? string.Join("; ", failing)
            : context.Request.Path == "/readyz" ? "ready" : "ok";
        return context.Response.WriteAsync(text + "\n", context.RequestAborted);
    }
}
