using Grpc.Core;
using Grpc.Net.Client;
using Guardrail.Contracts.Client;
using Guardrail.Contracts.Server;
using Guardrail.Contracts.V1;
using Guardrail.Tests.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Guardrail.Hosting.Tests;

/// <summary>A real Kestrel server on 127.0.0.1 port 0, wired exactly as the hosts wire gRPC
/// (<see cref="GuardrailGrpc"/>), serving <see cref="TestEchoService"/>.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RawGrpcClient _raw;
    private readonly GrpcChannel _channel;

    private TestServer(WebApplication app, ServiceListeners listeners)
    {
        _app = app;
        Listeners = listeners;
        Address = new Uri($"http://{listeners.Grpc}");
        _raw = new RawGrpcClient(Address);
        _channel = GuardrailChannel.Create(Address.ToString(), maxReceiveMessageBytes: 64 * 1024 * 1024);
        Client = new Diagnostics.DiagnosticsClient(_channel);
    }

    public Uri Address { get; }

    public ServiceListeners Listeners { get; }

    public Diagnostics.DiagnosticsClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestServer> StartAsync(GrpcServerOptions? options = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var rpc = options ?? new GrpcServerOptions { DrainMs = 0 };
        var listeners = ServiceListeners.Configure(builder.WebHost, "127.0.0.1:0", "127.0.0.1:0", rpc);
        builder.Services.AddGuardrailGrpc(rpc, ["guardrail.v1.Diagnostics"]);
        builder.Services.AddGuardrailTelemetry("test", new TelemetryOptions(), listeners.IsOps);
        builder.Services.AddSingleton<TestEchoService>();
        var app = builder.Build();
        app.UseGuardrailGrpc(listeners);
        app.MapGuardrailService<TestEchoService>();
        await app.StartAsync();
        return new TestServer(app, listeners);
    }

    public Task<RawResult> SendRawAsync(string path, byte[] body, string contentType = "application/grpc", string method = "POST", IDictionary<string, string>? headers = null)
        => _raw.SendAsync(path, body, contentType, method, headers);

    public async ValueTask DisposeAsync()
    {
        _raw.Dispose();
        _channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Echo with the hosts' behaviours to test: a delay honouring the deadline, a crash
/// ("crash": an exception whose text must not reach the client), a status ("refuse:MESSAGE").</summary>
[BindServiceMethod(typeof(StrictBinding<Diagnostics.DiagnosticsBase>), nameof(StrictBinding<Diagnostics.DiagnosticsBase>.Bind))]
public sealed class TestEchoService : Diagnostics.DiagnosticsBase
{
    private int _inFlight;

    public int InFlight => Volatile.Read(ref _inFlight);

    public override async Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            if (request.Text == "crash")
            {
                throw new InvalidOperationException("secret internals");
            }

            if (request.Text.StartsWith("refuse:", StringComparison.Ordinal))
            {
                throw RpcErrors.Status(StatusCode.FailedPrecondition, request.Text["refuse:".Length..]);
            }

            if (request.DelayMs > 0)
            {
                await Task.Delay((int)request.DelayMs, context.CancellationToken);
            }

            return new EchoResponse { Text = request.Text };
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
