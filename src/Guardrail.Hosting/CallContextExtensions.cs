using Grpc.AspNetCore.Server;
using Grpc.Core;

namespace Guardrail.Hosting;

/// <summary>What handlers read off a call beyond Grpc.Core's <see cref="ServerCallContext"/>.</summary>
public static class CallContextExtensions
{
    /// <summary>The caller's IP address (per-address limits count this), "unknown" when the transport has none.
    /// Not <see cref="ServerCallContext.Peer"/>, which carries the port too.</summary>
    public static string ClientAddress(this ServerCallContext context)
        => context.GetHttpContext().Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
