using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;

namespace Guardrail.Tests.Shared;

/// <summary>
/// Sends hand-made bytes to a gRPC server over h2c and reads the status wherever the server put it
/// (headers for trailers-only answers, else trailers). For tests of what well-behaved clients never
/// send: truncated or doubled frames, bad flag bytes, bytes that are no protobuf message.
/// </summary>
public sealed class RawGrpcClient(Uri address) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>A length-prefixed frame; <paramref name="declaredLength"/> may lie about the length.</summary>
    public static byte[] Frame(byte[] message, byte flag = 0, uint? declaredLength = null)
    {
        var bytes = new byte[5 + message.Length];
        bytes[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), declaredLength ?? (uint)message.Length);
        message.CopyTo(bytes, 5);
        return bytes;
    }

    public async Task<RawResult> SendAsync(string path, byte[] body, string contentType = "application/grpc", string method = "POST", IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body) { Headers = { ContentType = MediaTypeHeaderValue.Parse(contentType) } },
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        string? Header(string name) => response.Headers.TryGetValues(name, out var v) ? v.First()
            : response.TrailingHeaders.TryGetValues(name, out var t) ? t.First() : null;
        var status = Header("grpc-status");
        return new RawResult(
            (int)response.StatusCode,
            status is null ? null : (StatusCode)int.Parse(status, CultureInfo.InvariantCulture),
            Uri.UnescapeDataString(Header("grpc-message") ?? string.Empty),
            Header("grpc-retry-pushback-ms"),
            bytes);
    }

    public void Dispose() => _http.Dispose();
}

public sealed record RawResult(int HttpStatus, StatusCode? Status, string Message, string? RetryPushbackMs, byte[] Body);
