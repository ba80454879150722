using System.Net;
using Guardrail.Core.Policy;
using Guardrail.Core.Detectors;
using Guardrail.Core.Screening;
using Guardrail.Detection.Detectors;
using Guardrail.Gateway;
using Guardrail.Onnx;
using Guardrail.State;
using Guardrail.State.Redis;
using Guardrail.Gateway.Services;
using Guardrail.Rpc.Methods;
using Guardrail.Rpc.Server;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// Embedded mode: one process, in-memory state, one tenant; Guardrail:State:Store=redis shares
// state between gateways. Configuration comes from appsettings.json, GUARDRAIL__... environment
// variables and --Guardrail:...=value arguments.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
GatewayOptions gateway;
GrpcServerOptions rpc;
PolicyOptions policy;
DetectionOptions detection;
OnnxRuntimeOptions onnx;
StateOptions state;
try
{
    gateway = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new();
    rpc = builder.Configuration.GetSection(GrpcServerOptions.Section).Get<GrpcServerOptions>() ?? new();
    policy = builder.Configuration.GetSection(PolicyOptions.Section).Get<PolicyOptions>() ?? new();
    detection = builder.Configuration.GetSection(DetectionOptions.Section).Get<DetectionOptions>() ?? new();
    onnx = builder.Configuration.GetSection(OnnxRuntimeOptions.Section).Get<OnnxRuntimeOptions>() ?? new();
    state = builder.Configuration.GetSection(StateOptions.Section).Get<StateOptions>() ?? new();
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"configuration error: {e.Message}");
    return 2;
}

var errors = gateway.Validate().Concat(rpc.Validate()).Concat(policy.Validate()).Concat(detection.Validate()).Concat(onnx.Validate()).Concat(state.Validate()).ToList();
if (errors.Count > 0)
{
    errors.ForEach(error => Console.Error.WriteLine($"configuration error: {error}"));
    return 2;
}

builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Limits.MaxRequestBodySize = null; // the gRPC layer enforces MaxReceiveMessageBytes with a gRPC status
    kestrel.Listen(IPEndPoint.Parse(gateway.Listen), listen => listen.Protocols = HttpProtocols.Http2);
});
builder.Services
    .AddSingleton(gateway)
    .AddSingleton(rpc)
    .AddSingleton(TenantPolicy.From(policy))
    .AddSingleton(state)
    .AddSingleton(TimeProvider.System)
    .AddSingleton(services => StateStores.Create(state, services.GetRequiredService<TimeProvider>()))
    .AddSingleton(new DetectorSet(detection, onnx))
    .AddSingleton(services => services.GetRequiredService<DetectorSet>().Pipeline)
    .AddSingleton<ScreenService>()
    .AddSingleton<HealthService>()
    .AddSingleton<DiagnosticsService>()
    .AddSingleton<GrpcMethodRouter>()
    .AddSingleton<GrpcDispatcher>();

var app = builder.Build();
var router = app.Services.GetRequiredService<GrpcMethodRouter>()
    .MapUnary(GuardrailMethods.Screen, app.Services.GetRequiredService<ScreenService>().ScreenAsync)
    .MapUnary(GuardrailMethods.HealthCheck, app.Services.GetRequiredService<HealthService>().CheckAsync);
if (gateway.EnableDiagnostics)
{
    router.MapUnary(GuardrailMethods.Echo, app.Services.GetRequiredService<DiagnosticsService>().EchoAsync);
}

app.Run(app.Services.GetRequiredService<GrpcDispatcher>().HandleAsync);

var logger = app.Logger;
app.Services.GetRequiredService<DetectorSet>().Report(logger);
var stateStore = app.Services.GetRequiredService<FailoverStateStore>();
GatewayLog.StateStore(logger, StateStores.Describe(state));
stateStore.AvailabilityChanged += (available, reason) =>
{
    if (available)
    {
        GatewayLog.StateStoreUp(logger, reason);
    }
    else
    {
        GatewayLog.StateStoreDown(logger, reason);
    }
};
app.Lifetime.ApplicationStarted.Register(() =>
{
    GatewayLog.NoApiKeys(logger, policy.TenantId);
    foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses)
    {
        GatewayLog.Listening(logger, address);
    }
});
await app.RunAsync();
return 0;
