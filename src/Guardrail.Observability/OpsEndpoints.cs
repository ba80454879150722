using Microsoft.AspNetCore.Http;

namespace Guardrail.Observability;

/// <summary>
/// GET /metrics on the operations port (Prometheus text); the probes /healthz and /readyz are
/// ASP.NET Core health checks mapped beside it (Guardrail.Hosting).
/// </summary>
public sealed class OpsEndpoints(PrometheusExporter exporter)
{
    public const string PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

    public async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        if (context.Request.Path.Value == "/metrics")
        {
            response.ContentType = PrometheusContentType;
            await response.WriteAsync(exporter.Scrape(), context.RequestAborted).ConfigureAwait(false);
            return;
        }

        response.StatusCode = StatusCodes.Status404NotFound;
        await response.WriteAsync("not found: try /metrics, /healthz or /readyz\n", context.RequestAborted).ConfigureAwait(false);
    }
}
