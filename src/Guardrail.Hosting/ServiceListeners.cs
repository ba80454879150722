using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Guardrail.Hosting;

/// <summary>
/// A host's listeners: gRPC on an HTTP/2-only one (h2c: Kestrel serves cleartext HTTP/2 only on
/// an HTTP/2-only endpoint), the operations endpoints (/metrics, /healthz, /readyz) on an
/// HTTP/1.1-only one, so probes and scrapers need no HTTP/2, and optionally HTTP/JSON (the same
/// services through gRPC JSON transcoding, and their OpenAPI document) on an HTTP/1.1 one. Ports
/// may be 0; the bound ones are known once the host has started.
/// </summary>
public sealed class ServiceListeners
{
    private ListenOptions _grpc = null!;
    private ListenOptions _ops = null!;
    private ListenOptions? _http;

    private ServiceListeners()
    {
    }

    /// <param name="http">IP:port for HTTP/JSON, or empty for none.</param>
    public static ServiceListeners Configure(IWebHostBuilder web, string grpc, string ops, GrpcServerOptions limits, string http = "")
    {
        var listeners = new ServiceListeners();
        web.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // Grpc.AspNetCore enforces MaxReceiveMessageBytes with a gRPC status
            kestrel.Limits.Http2.MaxStreamsPerConnection = limits.MaxStreamsPerConnection;
            kestrel.Listen(IPEndPoint.Parse(grpc), listen => (listeners._grpc = listen).Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPEndPoint.Parse(ops), listen => (listeners._ops = listen).Protocols = HttpProtocols.Http1);
            if (http.Length > 0)
            {
                kestrel.Listen(IPEndPoint.Parse(http), listen => (listeners._http = listen).Protocols = HttpProtocols.Http1);
            }
        });
        return listeners;
    }

    /// <summary>The bound gRPC endpoint (after start).</summary>
    public IPEndPoint Grpc => _grpc.IPEndPoint!;

    public IPEndPoint Ops => _ops.IPEndPoint!;

    /// <summary>The bound HTTP/JSON endpoint, or null when there is none.</summary>
    public IPEndPoint? Http => _http?.IPEndPoint;

    /// <summary>Whether a request arrived on the operations listener.</summary>
    public bool IsOps(HttpContext context) => context.Connection.LocalPort == _ops.IPEndPoint?.Port;

    /// <summary>Whether a request arrived on the HTTP/JSON listener.</summary>
    public bool IsHttp(HttpContext context) => _http is not null && context.Connection.LocalPort == _http.IPEndPoint?.Port;

    /// <summary>Runs the host until it stops: 0, or 2 with one line naming the two port options
    /// (<paramref name="section"/>:Listen and :OpsListen) when a port is taken, most often by a
    /// second host of the same kind on this machine.</summary>
    public static async Task<int> RunAsync(WebApplication app, string section)
    {
        try
        {
            await app.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (IOException e) when (e.Message.Contains("bind", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine($"start-up error: {e.Message} (choose free ports with {section}:Listen, {section}:OpsListen and {section}:HttpListen; port 0 picks one)");
            return 2;
        }
    }
}
