using System.Net;
using System.Net.Http.Headers;
using Guardrail.Contracts.V1;
using Guardrail.Rpc.Methods;
using Guardrail.Rpc.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Guardrail.Rpc.Tests;

/// <summary>A real Kestrel HTTP/2 server on 127.0.0.1 port 0 serving the Echo method (with its
/// delay) and a method that always fails, through the dispatcher under test.</summary>
public sealed class TestServer : IAsyncDisposable
{
    public static readonly UnaryMethod<EchoRequest, EchoResponse> Crash = new("test.Faulty", "Crash", EchoRequest.Parser, EchoResponse.Parser);
    public static readonly UnaryMethod<EchoRequest, EchoResponse> Refuse = new("test.Faulty", "Refuse", EchoRequest.Parser, EchoResponse.Parser);

    private readonly WebApplication _app;
    private readonly HttpClient _raw;

    private TestServer(WebApplication app, GrpcDispatcher dispatcher, Uri address)
    {
        _app = app;
        Dispatcher = dispatcher;
        Address = address;
        _raw = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public GrpcDispatcher Dispatcher { get; }

    public static async Task<TestServer> StartAsync(GrpcServerOptions? options = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        var router = new GrpcMethodRouter()
            .MapUnary(GuardrailMethods.Echo, async (request, context) =>
            {
                if (request.DelayMs > 0)
                {
                    await Task.Delay((int)request.DelayMs, context.CancellationToken);
                }

                return new EchoResponse { Text = request.Text };
            })
            .MapUnary(Crash, (_, _) => throw new InvalidOperationException("secret internals"))
            .MapUnary(Refuse, (request, _) => throw new RpcException(StatusCode.FailedPrecondition, request.Text));
        var dispatcher = new GrpcDispatcher(router, options ?? new GrpcServerOptions(), NullLogger<GrpcDispatcher>.Instance);
        app.Run(dispatcher.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestServer(app, dispatcher, new Uri(address));
    }

    /// <summary>Sends hand-made bytes and reads the status wherever the server put it.</summary>
    public async Task<RawResult> SendRawAsync(string path, byte[] body, string contentType = "application/grpc", string method = "POST", IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(Address, path))
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

        using var response = await _raw.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        string? Header(string name) => response.Headers.TryGetValues(name, out var v) ? v.First()
            : response.TrailingHeaders.TryGetValues(name, out var t) ? t.First() : null;
        var status = Header("grpc-status");
        return new RawResult(
            (int)response.StatusCode,
            status is null ? null : (StatusCode)int.Parse(status, System.Globalization.CultureInfo.InvariantCulture),
            GrpcStatusMessage.Decode(Header("grpc-message")),
            Header("grpc-retry-pushback-ms"),
            bytes);
    }

    public async ValueTask DisposeAsync()
    {
        _raw.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record RawResult(int HttpStatus, StatusCode? Status, string Message, string? RetryPushbackMs, byte[] Body);
