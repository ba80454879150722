using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Guardrail.Contracts.Client;

/// <summary>
/// How this project's clients (guardrailctl, a gateway calling its detector workers, the tests)
/// reach a server: a Grpc.Net.Client channel over h2c with HTTP/2 connection reuse, more
/// connections once one is full of streams, and keep-alive pings so a dead peer is noticed
/// between calls. One channel per server, shared by every call to it.
/// </summary>
public static class GuardrailChannel
{
    /// <summary>Largest response a client accepts by default: 16 MiB (a Screen response lists
    /// findings and redacted documents, which can exceed gRPC's usual 4 MiB).</summary>
    public const int DefaultMaxReceiveMessageBytes = 16 * 1024 * 1024;

    /// <summary>Parses "host:port", "http://host:port" or "https://host:port".</summary>
    public static Uri ParseAddress(string address)
        => new(address.Contains("://", StringComparison.Ordinal) ? address : "http://" + address);

    public static GrpcChannel Create(string address, int maxReceiveMessageBytes = DefaultMaxReceiveMessageBytes, int? maxSendMessageBytes = null)
        => GrpcChannel.ForAddress(ParseAddress(address), new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                KeepAlivePingDelay = TimeSpan.FromSeconds(20),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(5),
            },
            MaxReceiveMessageSize = maxReceiveMessageBytes,
            MaxSendMessageSize = maxSendMessageBytes,
            DisposeHttpClient = true,
        });

    /// <summary>Calls on the channel carrying "authorization: Bearer KEY" (nothing when the key is empty).</summary>
    public static CallInvoker WithApiKey(this GrpcChannel channel, string? apiKey)
        => string.IsNullOrEmpty(apiKey)
            ? channel.CreateCallInvoker()
            : channel.Intercept(metadata =>
            {
                metadata.Add("authorization", "Bearer " + apiKey);
                return metadata;
            });
}
