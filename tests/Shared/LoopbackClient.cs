using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;

namespace Guardrail.Tests.Shared;

/// <summary>gRPC channels whose connections come from a chosen loopback address (127.0.0.2, ...):
/// a second client machine, as per-address limits see it. Linux routes all of 127.0.0.0/8 to lo.</summary>
public static class LoopbackClient
{
    public static GrpcChannel From(IPAddress local, Uri server) => GrpcChannel.ForAddress(server, new GrpcChannelOptions
    {
        HttpHandler = Handler(local),
        MaxReceiveMessageSize = 64 * 1024 * 1024,
    });

    /// <summary>A handler that opens every connection from <paramref name="local"/> (more than one
    /// once a connection's stream limit is reached).</summary>
    public static SocketsHttpHandler Handler(IPAddress local) => new()
    {
        EnableMultipleHttp2Connections = true,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
