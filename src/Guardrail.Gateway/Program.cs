using Guardrail.Core.Policy;
using Guardrail.Core.Detectors;
using Guardrail.Core.Screening;
using Guardrail.Detection.Detectors;
using Guardrail.Detection.Remote;
using Guardrail.Gateway;
using Guardrail.Onnx;
using Guardrail.State;
using Guardrail.State.Redis;
using Guardrail.Gateway.Services;
using Guardrail.Audit;
using Guardrail.Audit.Records;
using Guardrail.Audit.Sealing;
using Guardrail.Observability;
using Guardrail.Rpc.Methods;
using Guardrail.Rpc.Server;

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
AuditOptions auditOptions;
BatchingOptions batching;
WorkerPoolOptions workers;
try
{
    gateway = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new();
    rpc = builder.Configuration.GetSection(GrpcServerOptions.Section).Get<GrpcServerOptions>() ?? new();
    policy = builder.Configuration.GetSection(PolicyOptions.Section).Get<PolicyOptions>() ?? new();
    detection = builder.Configuration.GetSection(DetectionOptions.Section).Get<DetectionOptions>() ?? new();
    onnx = builder.Configuration.GetSection(OnnxRuntimeOptions.Section).Get<OnnxRuntimeOptions>() ?? new();
    state = builder.Configuration.GetSection(StateOptions.Section).Get<StateOptions>() ?? new();
    auditOptions = builder.Configuration.GetSection(AuditOptions.Section).Get<AuditOptions>() ?? new();
    batching = builder.Configuration.GetSection(BatchingOptions.Section).Get<BatchingOptions>() ?? new();
    workers = builder.Configuration.GetSection(WorkerPoolOptions.Section).Get<WorkerPoolOptions>() ?? new();
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"configuration error: {e.Message}");
    return 2;
}

var errors = gateway.Validate().Concat(rpc.Validate()).Concat(policy.Validate()).Concat(detection.Validate()).Concat(onnx.Validate()).Concat(state.Validate()).Concat(auditOptions.Validate()).Concat(batching.Validate()).Concat(workers.Validate()).ToList();
if (errors.Count > 0)
{
    errors.ForEach(error => Console.Error.WriteLine($"configuration error: {error}"));
    return 2;
}

ScreenAuditRecords auditRecords;
try
{
    auditRecords = AuditSinks.Records(auditOptions);
}
catch (AuditKeyException e)
{
    Console.Error.WriteLine($"configuration error: {e.Message}");
    return 2;
}

var listeners = ServiceListeners.Configure(builder.WebHost, gateway.Listen, gateway.OpsListen);

builder.Services
    .AddSingleton(gateway)
    .AddSingleton(rpc)
    .AddSingleton(TenantPolicy.From(policy))
    .AddSingleton(state)
    .AddSingleton(TimeProvider.System)
    .AddSingleton(services => StateStores.Create(state, services.GetRequiredService<TimeProvider>()))
    .AddSingleton(services => new DetectorSet(detection, onnx, batching, workers, state.Redis, services.GetRequiredService<ILoggerFactory>()))
    .AddSingleton(services => services.GetRequiredService<DetectorSet>().Pipeline)
    .AddSingleton(services => new AuditTrail(
        auditOptions.Enabled ? new AuditLog(AuditSinks.Create(auditOptions, state.Redis, services.GetRequiredService<TimeProvider>()), auditOptions, services.GetRequiredService<ILogger<AuditLog>>()) : null,
        auditRecords, services.GetRequiredService<TimeProvider>()))
    .AddSingleton(new PrometheusExporter("Guardrail."))
    .AddSingleton<ScreenService>()
    .AddSingleton(services => new HealthService(services.GetRequiredService<IHostApplicationLifetime>(), ["guardrail.v1.Screen", "guardrail.v1.Diagnostics"]))
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

var dispatcher = app.Services.GetRequiredService<GrpcDispatcher>();
var audit = app.Services.GetRequiredService<AuditTrail>();
var stateReachable = true;
var ops = new OpsEndpoints(app.Services.GetRequiredService<PrometheusExporter>(), () =>
    app.Lifetime.ApplicationStopping.IsCancellationRequested ? "stopping"
    : !app.Lifetime.ApplicationStarted.IsCancellationRequested ? "starting"
    : audit.Log?.SinkFailure is { } failure ? failure
    : !stateReachable && policy.StateFailClosed ? "state store unreachable and the tenant fails closed"
    : null);
app.Run(ServiceListeners.Route(dispatcher, ops.HandleAsync));
var detectors = app.Services.GetRequiredService<DetectorSet>();
GatewayMetrics.ObserveModels(detectors.Models);

var logger = app.Logger;
detectors.Report(logger);
var stateStore = app.Services.GetRequiredService<FailoverStateStore>();
GatewayLog.StateStore(logger, StateStores.Describe(state));
stateStore.AvailabilityChanged += (available, reason) =>
{
    stateReachable = available;
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
    GatewayLog.Audit(logger, audit.Log?.Describe() ?? "disabled (Guardrail:Audit:Enabled=false)", auditOptions.RetainVerdicts.Length == 0 ? "none" : auditOptions.RetainVerdicts);
    GatewayLog.Listening(logger, $"http://{listeners.Grpc}");
    GatewayLog.OpsListening(logger, $"http://{listeners.Ops}");
});
return await ServiceListeners.RunAsync(app, GatewayOptions.Section);
