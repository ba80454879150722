using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Guardrail.Rpc.Server;

/// <summary>
/// A host's two listeners: gRPC on an HTTP/2-only one (h2c), and the operations endpoints
/// (/metrics, /healthz, /readyz) on an HTTP/1.1-only one, so the protocol of a request says which
/// it is. Ports may be 0; the bound ones are known once the host has started.
/// </summary>
public sealed class ServiceListeners
{
    private ListenOptions _grpc = null!;
    private ListenOptions _ops = null!;

    private ServiceListeners()
    {
    }

    public static ServiceListeners Configure(IWebHostBuilder web, string grpc, string ops)
    {
        var listeners = new ServiceListeners();
        web.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // the gRPC layer enforces MaxReceiveMessageBytes with a gRPC status
            kestrel.Listen(IPEndPoint.Parse(grpc), listen => (listeners._grpc = listen).Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPEndPoint.Parse(ops), listen => (listeners._ops = listen).Protocols = HttpProtocols.Http1);
        });
        return listeners;
    }

    /// <summary>The bound gRPC endpoint (after start).</summary>
    public IPEndPoint Grpc => _grpc.IPEndPoint!;

    public IPEndPoint Ops => _ops.IPEndPoint!;

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
            Console.Error.WriteLine($"start-up error: {e.Message} (choose free ports with {section}:Listen and {section}:OpsListen; port 0 picks one)");
            return 2;
        }
    }

    /// <summary>Sends HTTP/2 requests to the gRPC dispatcher and the rest to the operations endpoints.</summary>
    public static RequestDelegate Route(GrpcDispatcher dispatcher, RequestDelegate ops)
        => context => HttpProtocol.IsHttp2(context.Request.Protocol) ? dispatcher.HandleAsync(context) : ops(context);
}
