using System.Net;
using Guardrail.Contracts.V1;
using Guardrail.Rpc.Methods;
using Guardrail.Rpc.Server;
using Guardrail.Tests.Shared;
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
    private readonly RawGrpcClient _raw;

    private TestServer(WebApplication app, GrpcDispatcher dispatcher, Uri address)
    {
        _app = app;
        Dispatcher = dispatcher;
        Address = address;
        _raw = new RawGrpcClient(address);
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

    public Task<RawResult> SendRawAsync(string path, byte[] body, string contentType = "application/grpc", string method = "POST", IDictionary<string, string>? headers = null)
        => _raw.SendAsync(path, body, contentType, method, headers);

    public async ValueTask DisposeAsync()
    {
        _raw.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
