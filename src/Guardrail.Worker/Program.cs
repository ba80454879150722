using Guardrail.Detection.Detectors;
using Guardrail.Detection.Serving;
using Guardrail.Hosting;
using Guardrail.Onnx;
using Guardrail.State.Control;
using Guardrail.State.Redis.Control;
using Guardrail.State.Redis.Workers;
using Guardrail.State.Workers;

// A detector worker: serves guardrail.v1.Detector (batched ML scoring) and registers itself in
// Redis with a heartbeat when Guardrail:Worker:Membership=redis. Stateless: no tenant data here.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
WorkerOptions worker;
GrpcServerOptions rpc;
DetectionOptions detection;
OnnxRuntimeOptions onnx;
BatchingOptions batching;
ControlPlaneOptions controlOptions;
TelemetryOptions telemetry;
try
{
    worker = builder.Configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>() ?? new();
    rpc = builder.Configuration.GetSection(GrpcServerOptions.Section).Get<GrpcServerOptions>() ?? new();
    detection = builder.Configuration.GetSection(DetectionOptions.Section).Get<DetectionOptions>() ?? new();
    onnx = builder.Configuration.GetSection(OnnxRuntimeOptions.Section).Get<OnnxRuntimeOptions>() ?? new();
    batching = builder.Configuration.GetSection(BatchingOptions.Section).Get<BatchingOptions>() ?? new();
    controlOptions = builder.Configuration.GetSection(ControlPlaneOptions.Section).Get<ControlPlaneOptions>() ?? new();
    telemetry = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new();
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"configuration error: {e.Message}");
    return 2;
}

var errors = worker.Validate().Concat(rpc.Validate()).Concat(detection.Validate()).Concat(onnx.Validate()).Concat(batching.Validate()).Concat(controlOptions.Validate()).Concat(telemetry.Validate()).ToList();
if (errors.Count > 0)
{
    errors.ForEach(error => Console.Error.WriteLine($"configuration error: {error}"));
    return 2;
}

var listeners = ServiceListeners.Configure(builder.WebHost, worker.Listen, worker.OpsListen, rpc);
MlDetectors.Loaded loaded;
try
{
    loaded = MlDetectors.Load(detection, onnx);
}
catch (ModelLoadException e) when (e.CudaUnavailable)
{
    Console.Error.WriteLine($"start-up error: {e.Message} (set {OnnxRuntimeOptions.Section}:CudaFallbackToCpu=true to run on CPU instead)");
    return 2;
}

await using var scorer = new LocalTextScorer(loaded.Models, batching);
var serving = loaded.Models.Where(m => m.Detector.UnavailableReason is null).ToList();

// With Redis membership the worker also follows the model registry, so an isolated model is not
// called here even by a gateway that has not heard of the isolation yet. The worker is not a silo
// (an Orleans client would cost it a second or two to connect and some 90 MB): it hears the
// control-plane grain's notices on Redis and reconciles with the registry the grain publishes there.
ControlPlaneView? control = null;
if (worker.Membership == "redis")
{
    control = new ControlPlaneView(RedisControlFeed.Connect(worker.Redis, controlOptions.TimeoutMs), controlOptions.ReconcileMs);
}

builder.Services.AddGuardrailGrpc(rpc, ["guardrail.v1.Detector"])
    .AddCheck("models", () => serving.Count == 0
        ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy("no model can run here (see the start-up log)")
        : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy(), [GuardrailGrpc.Ready]);
builder.Services.AddGuardrailTelemetry("guardrail-worker", telemetry, listeners.IsOps);
builder.Services
    .AddSingleton(services =>
    {
        var state = services.GetRequiredService<ServingState>();
        return new DetectService(scorer, worker, TimeProvider.System, () => state.Closing, rpc.RetryPushbackMs,
            () => worker.AdvertiseAddress.Length > 0 ? worker.AdvertiseAddress : listeners.Grpc.ToString(), control is null ? null : () => control.Models);
    });
var app = builder.Build();
app.UseGuardrailGrpc(listeners);
app.MapGuardrailService<DetectService>();
var address = () => worker.AdvertiseAddress.Length > 0 ? worker.AdvertiseAddress : listeners.Grpc.ToString();

var logger = app.Logger;
if (control is not null)
{
    string? isolatedHere = null;
    control.ModelsApplied += models =>
    {
        var isolated = string.Join(", ", loaded.Models.Where(m => models.Detector(m.Detector.Model, m.Detector.Version)?.Status == Guardrail.Core.Registry.ModelStatus.Isolated)
            .Select(m => m.Detector.Model + "@" + m.Detector.Version).DefaultIfEmpty("none"));
        if (isolated != Interlocked.Exchange(ref isolatedHere, isolated))
        {
            WorkerLog.RegistryApplied(logger, models.Revision, isolated);
        }
    };
    control.StoreAvailabilityChanged += (_, reason) => WorkerLog.ControlPlane(logger, reason);
    await control.StartAsync();
}

loaded.Notes.ToList().ForEach(note => WorkerLog.ModelNote(logger, note));
loaded.Models.Where(m => m.Detector.UnavailableReason is not null).ToList()
    .ForEach(m => WorkerLog.ModelUnavailable(logger, m.Detector.Name, m.Detector.UnavailableReason!));

// Registered once listening (the address may use port 0); left at the first sign of shutdown, so
// gateways stop sending before the listener closes. Only models that can run are announced.
WorkerHeartbeat? heartbeat = null;
app.Lifetime.ApplicationStarted.Register(() =>
{
    WorkerLog.Listening(logger, worker.Id, $"http://{listeners.Grpc}", $"http://{listeners.Ops}");
    if (worker.Membership == "redis")
    {
        var registration = new WorkerRegistration(worker.Id, address(), [.. serving.Select(m => new WorkerModelInfo(m.Detector.Name, m.Detector.Model, m.Detector.Version))], batching.QueueCapacity);
        heartbeat = new WorkerHeartbeat(RedisWorkerDirectory.Connect(worker.Redis), registration, worker, app.Services.GetRequiredService<ILogger<WorkerHeartbeat>>());
        heartbeat.Start();
    }

    WorkerLog.Membership(logger, worker.Membership == "redis" ? "redis " + Guardrail.State.Redis.RedisConnection.Endpoints(worker.Redis) : "none (gateways use static addresses)", address());
});
app.Lifetime.ApplicationStopping.Register(() => heartbeat?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(2)));
var exit = await ServiceListeners.RunAsync(app, WorkerOptions.Section);
if (control is not null)
{
    await control.DisposeAsync();
}

return exit;
