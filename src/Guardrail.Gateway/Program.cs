using Guardrail.Core.Policy;
using Guardrail.Core.Detectors;
using Guardrail.Core.Screening;
using Guardrail.Detection.Detectors;
using Guardrail.Detection.Remote;
using Guardrail.Gateway;
using Guardrail.Gateway.Control;
using Guardrail.Gateway.Security;
using Guardrail.Onnx;
using Guardrail.State;
using Guardrail.State.Control;
using Guardrail.State.Isolation;
using Guardrail.State.Redis;
using Guardrail.Gateway.Services;
using Guardrail.Gateway.Privacy;
using Guardrail.Audit;
using Guardrail.Audit.Records;
using Guardrail.Audit.Sealing;
using Guardrail.Hosting;
using Guardrail.Grains;
using Orleans;

// Every gateway co-hosts an Orleans silo holding the tenant and session grains. Embedded mode: one
// process, one silo, state in memory. Guardrail:State:Store=redis: the gateways' silos form one
// cluster through Redis membership, and the grains write their state to Redis. Configuration comes from appsettings.json, GUARDRAIL__... environment
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
AuthOptions authOptions;
ControlPlaneOptions controlOptions;
TelemetryOptions telemetry;
SiloOptions silo;
IsolationRuleOptions isolationRules;
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
    authOptions = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new();
    controlOptions = builder.Configuration.GetSection(ControlPlaneOptions.Section).Get<ControlPlaneOptions>() ?? new();
    telemetry = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new();
    silo = builder.Configuration.GetSection(SiloOptions.Section).Get<SiloOptions>() ?? new();
    isolationRules = builder.Configuration.GetSection(IsolationRuleOptions.Section).Get<IsolationRuleOptions>() ?? new();
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"configuration error: {e.Message}");
    return 2;
}

var errors = gateway.Validate().Concat(rpc.Validate()).Concat(policy.Validate()).Concat(detection.Validate()).Concat(onnx.Validate()).Concat(state.Validate()).Concat(auditOptions.Validate()).Concat(batching.Validate()).Concat(workers.Validate())
    .Concat(authOptions.Validate()).Concat(controlOptions.Validate()).Concat(telemetry.Validate()).Concat(silo.Validate()).Concat(isolationRules.Validate()).ToList();
if (errors.Count > 0)
{
    errors.ForEach(error => Console.Error.WriteLine($"configuration error: {error}"));
    return 2;
}

ScreenAuditRecords auditRecords;
AuditKeyRing? auditKeys;
try
{
    auditRecords = AuditSinks.Records(auditOptions);
    auditKeys = AuditSinks.KeyRing(auditOptions);
}
catch (AuditKeyException e)
{
    Console.Error.WriteLine($"configuration error: {e.Message}");
    return 2;
}

if (policy.Anonymize && auditKeys is null)
{
    Console.Error.WriteLine($"configuration error: {PolicyOptions.Section}:Anonymize keeps each session's PII values, which are only ever stored sealed: set {AuditOptions.Section}:KeyDirectory (create a key with `guardrailctl audit keygen`).");
    return 2;
}

var listeners = ServiceListeners.Configure(builder.WebHost, gateway.Listen, gateway.OpsListen, rpc, gateway.HttpListen);
var node = $"{Environment.MachineName}:{Environment.ProcessId}";

string[] healthServices = ["guardrail.v1.Screen", "guardrail.v1.Admin", .. gateway.EnableDiagnostics ? ["guardrail.v1.Diagnostics"] : Array.Empty<string>()];
builder.Services.AddGuardrailGrpc(rpc, healthServices).AddCheck<GatewayReadiness>("gateway", tags: [GuardrailGrpc.Ready]);
builder.Services.AddGuardrailTelemetry("guardrail-gateway", telemetry, listeners.IsOps, GuardrailSilo.Meter);
builder.AddGuardrailSilo(silo, state, controlOptions);
// The control plane (model registry, tenants, API keys) is a grain of this silo's cluster; the view
// starts once the silo has (ControlPlaneStartup, a hosted service after the silo's), before
// the listeners open.
builder.Services
    .AddSingleton(controlOptions)
    .AddSingleton<IControlStore>(services => new GrainControlStore(services.GetRequiredService<IGrainFactory>(), services.GetRequiredService<IControlFeed>(), controlOptions,
        state.Store == "redis" ? $"a grain of the cluster, stored and announced in redis {Guardrail.State.Redis.RedisConnection.Endpoints(state.Redis)}" : "a grain on this gateway's silo, in memory"))
    .AddSingleton(services => new ModelRegistry(services.GetRequiredService<IControlStore>()))
    .AddSingleton(services => new TenantDirectory(services.GetRequiredService<IControlStore>(), policy))
    .AddSingleton(services => new ApiKeyStore(services.GetRequiredService<IControlStore>(), services.GetRequiredService<TenantDirectory>()))
    .AddSingleton(services => new ControlPlaneView(services.GetRequiredService<IControlStore>(), controlOptions.ReconcileMs, services.GetRequiredService<TenantDirectory>(), services.GetRequiredService<ApiKeyStore>()))
    .AddHostedService<ControlPlaneStartup>()
    // After the silo's and the control plane's hosted services: it stops before them.
    .AddSingleton(isolationRules)
    .AddSingleton<IsolationRuleReporter>()
    .AddHostedService(services => services.GetRequiredService<IsolationRuleReporter>());
builder.Services
    .AddSingleton(gateway)
    .AddSingleton(policy)
    .AddSingleton(state)
    .AddSingleton(TimeProvider.System)
    .AddSingleton(services => new GrainStateStore(services.GetRequiredService<IGrainFactory>(), state, services.GetRequiredService<TimeProvider>()))
    .AddSingleton(services => new FailoverStateStore( // fail-open tenants are served from this process's memory while the grains cannot answer
        services.GetRequiredService<GrainStateStore>(),
        new InMemoryStateStore(state, services.GetRequiredService<TimeProvider>())))
    .AddSingleton(services => new DetectorSet(detection, onnx, batching, workers, state.Redis, services.GetRequiredService<ILoggerFactory>()))
    .AddSingleton(services => services.GetRequiredService<DetectorSet>().Pipeline)
    .AddSingleton(services => new AuditTrail(
        auditOptions.Enabled ? new AuditLog(AuditSinks.Create(auditOptions, state.Redis, services.GetRequiredService<TimeProvider>()), auditOptions, services.GetRequiredService<ILogger<AuditLog>>()) : null,
        auditRecords, services.GetRequiredService<TimeProvider>()))
    .AddSingleton(services => new TenantPolicies(services.GetRequiredService<ControlPlaneView>(), Guardrail.Core.Policy.TenantPolicy.From(policy)))
    .AddSingleton(services => new ApiKeyAuthenticator(authOptions, services.GetRequiredService<ControlPlaneView>(), new FailedAuthLimiter(authOptions.MaxFailures, TimeSpan.FromSeconds(authOptions.FailureWindowSeconds), TimeProvider.System), policy.TenantId, TimeProvider.System))
    .AddSingleton(services => new DetectorModelRegistration(services.GetRequiredService<ModelRegistry>(), services.GetRequiredService<ControlPlaneView>(), controlOptions, $"gateway:{node}", services.GetRequiredService<ILogger<DetectorModelRegistration>>()))
    .AddSingleton(services => new AdminService(
        services.GetRequiredService<ApiKeyAuthenticator>(), services.GetRequiredService<ModelRegistry>(), services.GetRequiredService<TenantDirectory>(), services.GetRequiredService<ApiKeyStore>(),
        services.GetRequiredService<ControlPlaneView>(), services.GetRequiredService<FailoverStateStore>(), state,
        services.GetRequiredService<AuditTrail>(), TimeProvider.System, node))
    .AddSingleton(services => new SessionAnonymizer(services.GetRequiredService<GrainStateStore>(), auditKeys, gateway, services.GetRequiredService<ILogger<SessionAnonymizer>>()))
    .AddSingleton<ScreenService>()
    .AddSingleton<DiagnosticsService>()
    .AddSingleton<GatewayReadiness>();

var app = builder.Build();
app.UseGuardrailGrpc(listeners, silo.Dashboard ? ops => ops.MapGuardrailDashboard() : null);
app.MapGuardrailService<ScreenService>();
app.MapGuardrailService<AdminService>();
if (gateway.EnableDiagnostics)
{
    app.MapGuardrailService<DiagnosticsService>();
}

var audit = app.Services.GetRequiredService<AuditTrail>();
DetectorSet detectors;
try
{
    detectors = app.Services.GetRequiredService<DetectorSet>();
}
catch (ModelLoadException e) when (e.CudaUnavailable)
{
    Console.Error.WriteLine($"start-up error: {e.Message} (set {OnnxRuntimeOptions.Section}:CudaFallbackToCpu=true to run on CPU instead)");
    return 2;
}

var control = app.Services.GetRequiredService<ControlPlaneView>();
GatewayMetrics.ObserveModels(() => detectors.Models(control.Models));
GatewayMetrics.ObserveRegistry(() => control.Models);

var logger = app.Logger;
detectors.Report(logger);
string? registrySummary = null;
control.ModelsApplied += models =>
{
    // Logged when what is isolated or in shadow changes, not for every model first seen.
    string Ids(Guardrail.Core.Registry.ModelStatus status) => string.Join(", ", models.Entries.Where(e => e.Status == status).Select(e => e.Id).Order(StringComparer.Ordinal).DefaultIfEmpty("none"));
    var summary = $"isolated: {Ids(Guardrail.Core.Registry.ModelStatus.Isolated)}; shadow: {Ids(Guardrail.Core.Registry.ModelStatus.Shadow)}";
    if (summary != Interlocked.Exchange(ref registrySummary, summary))
    {
        GatewayLog.RegistryApplied(logger, models.Revision, summary);
    }
};
control.StoreAvailabilityChanged += (reachable, reason) =>
{
    if (reachable)
    {
        GatewayLog.ControlPlaneUp(logger, reason);
    }
    else
    {
        GatewayLog.ControlPlaneDown(logger, reason);
    }
};
var stateStore = app.Services.GetRequiredService<FailoverStateStore>();
GatewayLog.StateStore(logger, GuardrailSilo.Describe(silo, state));
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
    if (authOptions.Enabled)
    {
        GatewayLog.ApiKeys(logger, authOptions.OperatorKeys.Count, app.Services.GetRequiredService<IControlStore>().Describe());
    }
    else
    {
        GatewayLog.NoApiKeys(logger, policy.TenantId);
    }

    GatewayLog.Audit(logger, audit.Log?.Describe() ?? "disabled (Guardrail:Audit:Enabled=false)", auditOptions.RetainVerdicts.Length == 0 ? "none" : auditOptions.RetainVerdicts);
    GatewayLog.Listening(logger, $"http://{listeners.Grpc}");
    if (listeners.Http is { } http)
    {
        GatewayLog.HttpListening(logger, $"http://{http}"); // before the ops line, which tests take as "all announced"
    }

    GatewayLog.OpsListening(logger, $"http://{listeners.Ops}");
});
return await ServiceListeners.RunAsync(app, GatewayOptions.Section); // the container stops the registration loop
