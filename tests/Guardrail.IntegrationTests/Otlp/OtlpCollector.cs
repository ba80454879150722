using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Guardrail.IntegrationTests.Otlp;

/// <summary>An OTLP/gRPC trace collector on 127.0.0.1 port 0 for tests: keeps every span the real
/// OpenTelemetry exporters send, with its service name, and every export request as bytes.</summary>
public sealed class OtlpCollector : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpCollector(WebApplication app, Receiver receiver)
    {
        _app = app;
        Received = receiver;
    }

    public Receiver Received { get; }

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<OtlpCollector> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions listen = null!;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => (listen = l).Protocols = HttpProtocols.Http2));
        var receiver = new Receiver();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(receiver);
        var app = builder.Build();
        app.MapGrpcService<Receiver>();
        await app.StartAsync();
        return new OtlpCollector(app, receiver) { Endpoint = new Uri($"http://{listen.IPEndPoint}") };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public sealed record ReceivedSpan(string Service, Span Span)
    {
        public string TraceId => Span.TraceId.ToBase64();

        public string SpanId => Span.SpanId.ToBase64();

        public string ParentSpanId => Span.ParentSpanId.ToBase64();

        public string? Attribute(string key) => Span.Attributes.FirstOrDefault(a => a.Key == key)?.Value.StringValue;
    }

    public sealed class Receiver : TraceService.TraceServiceBase
    {
        public ConcurrentQueue<ReceivedSpan> Spans { get; } = new();

        public ConcurrentQueue<byte[]> Exports { get; } = new();

        public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
        {
            Exports.Enqueue(request.ToByteArray()); // unknown fields included: everything that was sent
            foreach (var resource in request.ResourceSpans)
            {
                var service = resource.Resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value.StringValue ?? "?";
                foreach (var span in resource.ScopeSpans.SelectMany(s => s.Spans))
                {
                    Spans.Enqueue(new ReceivedSpan(service, span));
                }
            }

            return Task.FromResult(new ExportTraceServiceResponse());
        }
    }
}
