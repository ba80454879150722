using Microsoft.AspNetCore.Http;

namespace Guardrail.Observability;

/// <summary>
/// The operations port (HTTP/1.1, separate from gRPC so scrapers and kubelet probes need no
/// HTTP/2): GET /metrics (Prometheus text), /healthz (the process serves: 200 while it runs),
/// /readyz (200 only while <paramref name="readiness"/> has no complaint; 503 with the reason).
/// </summary>
public sealed class OpsEndpoints(PrometheusExporter exporter, Func<string?> readiness)
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

        switch (context.Request.Path.Value)
        {
            case "/metrics":
                response.ContentType = PrometheusContentType;
                await response.WriteAsync(exporter.Scrape(), context.RequestAborted).ConfigureAwait(false);
                break;
            case "/healthz":
                response.ContentType = "text/plain";
                await response.WriteAsync("ok\n", context.RequestAborted).ConfigureAwait(false);
                break;
            case "/readyz":
                var complaint = readiness();
                response.ContentType = "text/plain";
                response.StatusCode = complaint is null ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
                await response.WriteAsync((complaint ?? "ready") + "\n", context.RequestAborted).ConfigureAwait(false);
                break;
            default:
                response.StatusCode = StatusCodes.Status404NotFound;
                await response.WriteAsync("not found: try /metrics, /healthz or /readyz\n", context.RequestAborted).ConfigureAwait(false);
                break;
        }
    }
}
