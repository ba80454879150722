using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Guardrail.Rpc.Client;

/// <summary>
/// A unary gRPC client over HttpClient with HTTP/2 prior knowledge (h2c). Every request sets
/// Version 2.0 with RequestVersionExact: an HttpRequestMessage ignores HttpClient's default version.
/// A non-OK status becomes an <see cref="RpcException"/>; the deadline is enforced locally too.
/// </summary>
public sealed class GrpcClient : IDisposable
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new("application/grpc");
    private readonly HttpClient _http;
    private readonly Uri _address;
    private readonly int _maxReceiveMessageBytes;
    private readonly IReadOnlyDictionary<string, string> _headers;

    /// <param name="address">The server, e.g. http://127.0.0.1:50051.</param>
    /// <param name="maxReceiveMessageBytes">Largest response accepted. Default 16 MiB.</param>
    /// <param name="headers">Metadata sent with every call (e.g. authorization); a call's own headers are added to it.</param>
    public GrpcClient(Uri address, int maxReceiveMessageBytes = 16 * 1024 * 1024, IReadOnlyDictionary<string, string>? headers = null)
    {
        _address = address;
        _maxReceiveMessageBytes = maxReceiveMessageBytes;
        _headers = headers ?? new Dictionary<string, string>();
        _http = new HttpClient(new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The metadata that carries an API key.</summary>
    public static IReadOnlyDictionary<string, string> Bearer(string apiKey) => new Dictionary<string, string> { ["authorization"] = "Bearer " + apiKey };

    /// <summary>Parses "host:port", "http://host:port" or "https://host:port".</summary>
    public static Uri ParseAddress(string address)
        => new(address.Contains("://", StringComparison.Ordinal) ? address : "http://" + address);

    public async Task<TResponse> CallAsync<TRequest, TResponse>(
        UnaryMethod<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
        if (options.Timeout is { } timeout)
        {
            cancel.CancelAfter(timeout);
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(_address, method.Path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(GrpcFrame.ToArray(request)) { Headers = { ContentType = GrpcContentType } },
        };
        message.Headers.TryAddWithoutValidation("te", "trailers");
        if (options.Timeout is { } deadline)
        {
            message.Headers.TryAddWithoutValidation("grpc-timeout", GrpcTimeout.Format(deadline));
        }

        foreach (var (name, value) in _headers.Concat(options.Headers ?? new Dictionary<string, string>()))
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancel.Token).ConfigureAwait(false);
            return await ReadResponseAsync(method, response, cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!options.CancellationToken.IsCancellationRequested && options.Timeout is not null)
        {
            throw new RpcException(StatusCode.DeadlineExceeded, $"deadline of {options.Timeout.Value.TotalMilliseconds:0.###} ms exceeded (client)");
        }
        catch (OperationCanceledException)
        {
            throw new RpcException(StatusCode.Cancelled, "call cancelled by the caller");
        }
        catch (HttpRequestException e)
        {
            throw new RpcException(StatusCode.Unavailable, $"cannot reach {_address}: {e.Message}");
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RpcException(StatusCode.Internal, $"malformed response message from {_address}: {e.Message}");
        }
        catch (IOException e)
        {
            // The connection broke after the headers (server killed mid-answer): retryable, like a refused connection.
            throw new RpcException(StatusCode.Unavailable, $"connection to {_address} lost: {e.Message}");
        }
        catch (ObjectDisposedException)
        {
            throw new RpcException(StatusCode.Unavailable, $"client for {_address} was closed");
        }
    }

    private async Task<TResponse> ReadResponseAsync<TRequest, TResponse>(
        UnaryMethod<TRequest, TResponse> method, HttpResponseMessage response, CancellationToken cancellationToken)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new RpcException(FromHttpStatus(response.StatusCode), $"HTTP {(int)response.StatusCode} from server");
        }

        ThrowIfError(response.Headers); // trailers-only answer
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        ThrowIfError(response.TrailingHeaders);
        if (!response.TrailingHeaders.Contains("grpc-status"))
        {
            throw new RpcException(StatusCode.Internal, "server sent no grpc-status");
        }

        if (body.Length < GrpcFrame.HeaderSize)
        {
            throw new RpcException(StatusCode.Internal, "server sent OK without a response message");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1, 4));
        if (length > _maxReceiveMessageBytes)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"response of {length} bytes exceeds the client limit of {_maxReceiveMessageBytes}");
        }

        if (body[0] != 0 || body.Length != GrpcFrame.HeaderSize + length)
        {
            throw new RpcException(StatusCode.Internal, "malformed response frame");
        }

        return method.ResponseParser.ParseFrom(body.AsSpan(GrpcFrame.HeaderSize));
    }

    private static void ThrowIfError(HttpHeaders headers)
    {
        if (!headers.TryGetValues("grpc-status", out var values))
        {
            return;
        }

        var code = int.Parse(values.First(), CultureInfo.InvariantCulture);
        if (code == 0)
        {
            return;
        }

        var detail = headers.TryGetValues("grpc-message", out var messages) ? GrpcStatusMessage.Decode(messages.First()) : string.Empty;
        TimeSpan? retry = headers.TryGetValues("grpc-retry-pushback-ms", out var pushback)
            && long.TryParse(pushback.First(), CultureInfo.InvariantCulture, out var ms) ? TimeSpan.FromMilliseconds(ms) : null;
        throw new RpcException((StatusCode)code, detail, retry);
    }

    /// <summary>HTTP status to gRPC status, as grpc/grpc doc/http-grpc-status-mapping.md says.</summary>
    private static StatusCode FromHttpStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => StatusCode.Internal,
        HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
        HttpStatusCode.NotFound => StatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    public void Dispose() => _http.Dispose();
}
