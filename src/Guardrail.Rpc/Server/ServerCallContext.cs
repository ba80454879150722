using Microsoft.AspNetCore.Http;

namespace Guardrail.Rpc.Server;

/// <summary>What a handler knows about the call it serves.</summary>
public sealed class ServerCallContext
{
    internal ServerCallContext(HttpContext httpContext, string method, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        HttpContext = httpContext;
        Method = method;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    public HttpContext HttpContext { get; }

    /// <summary>The :path, "/service/method".</summary>
    public string Method { get; }

    /// <summary>When the call must be answered (the client's grpc-timeout, capped by the server).</summary>
    public DateTimeOffset Deadline { get; }

    /// <summary>Cancelled at the deadline or when the client goes away.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The caller's IP address (for per-address limits), "unknown" when the transport has none.</summary>
    public string Peer => HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>A request metadata value (header), or null.</summary>
    public string? GetHeader(string name)
        => HttpContext.Request.Headers.TryGetValue(name, out var values) ? values.ToString() : null;
}
