using Guardrail.Core.Registry;
using Guardrail.Core.Screening;
using Guardrail.Detection.Detectors;
using Guardrail.Detection.Encoder;
using Guardrail.Detection.Remote;
using Guardrail.Onnx;
using Guardrail.State.Redis.Workers;
using Guardrail.State.Workers;

namespace Guardrail.Gateway;

/// <summary>The gateway's detectors: the cheap ones in-process, and the ML ones either in-process
/// through ONNX Runtime behind dynamic batchers (embedded mode) or on detector workers
/// (Guardrail:Workers:Discovery static or redis), with the configured shadow set.</summary>
public sealed class DetectorSet : IAsyncDisposable
{
    private readonly IReadOnlySet<string> _shadow;
    private readonly IReadOnlyList<ModelDetector> _expected;
    private readonly IReadOnlyList<string> _notes;
    private readonly LocalTextScorer? _local;
    private readonly RemoteTextScorer? _remote;
    private readonly WorkerPool? _pool;
    private readonly ITextScorer? _scorer;
    private readonly SentenceTopicMatcher _topics;

    public DetectorSet(DetectionOptions detection, OnnxRuntimeOptions onnx, BatchingOptions batching, WorkerPoolOptions workers, string stateRedis, ILoggerFactory logging)
    {
        _shadow = detection.ShadowSet;
        _expected = MlDetectors.Expected(detection);
        if (!detection.Enabled)
        {
            _notes = ["ML detectors disabled (Guardrail:Detection:Enabled=false)"];
        }
        else if (workers.Remote)
        {
            IWorkerSource source = workers.Discovery == "static"
                ? new StaticWorkerList(workers.AddressList)
                : RedisWorkerDirectory.Connect(workers.Redis.Length > 0 ? workers.Redis : stateRedis);
            _pool = new WorkerPool(source, workers, logging.CreateLogger<WorkerPool>());
            _scorer = _remote = new RemoteTextScorer(_pool, workers, logging.CreateLogger<RemoteTextScorer>(), expected: MlDetectors.Expected(detection));
            _notes = [$"ML detectors on detector workers ({source.Describe()})"];
        }
        else
        {
            var loaded = MlDetectors.Load(detection, onnx);
            _scorer = _local = new LocalTextScorer(loaded.Models, batching);
            _notes = [.. loaded.Notes, $"ML detectors in-process, batches of up to {batching.MaxBatchItems} texts, waiting at most {batching.MaxWaitMicroseconds} us"];
        }

        var cheap = ScreeningPipeline.CheapDetectors();
        // Tenants' banned topics: the sentence encoder in this process, loaded on first use.
        _topics = new SentenceTopicMatcher(new SessionSettings(onnx.IntraOpThreads, onnx.ExecutionProvider == "cuda", onnx.CudaDeviceId, onnx.CudaFallbackToCpu));
        Pipeline = new ScreeningPipeline(cheap, _shadow, _scorer, detection.Cascades, _topics);
        Cheap = [.. cheap.Select(d => (d.Name, d.Model, d.Version))];
    }

    private IReadOnlyList<(string Detector, string Model, string Version)> Cheap { get; }

    public ScreeningPipeline Pipeline { get; }

    /// <summary>Each detector's model, version and status here: the registry's (active, shadow,
    /// isolated), else the configured one; unavailable when its model cannot run.</summary>
    public IEnumerable<(string Detector, string Model, string Version, string Status)> Models(ModelControls controls)
        => Cheap.Select(d => (d.Detector, d.Model, d.Version, Status(controls, d.Detector, d.Model, d.Version)))
            .Concat((_scorer?.Detectors ?? []).Select(d => (d.Name, d.Model, d.Version, d.UnavailableReason is not null ? "unavailable" : Status(controls, d.Name, d.Model, d.Version))));

    /// <summary>The detector models to add to the registry, with the status configuration gives them;
    /// an ML detector only once a worker has said which model@version it serves.</summary>
    public IEnumerable<(string Model, string Version, bool Shadow)> Registrable()
        => Cheap.Select(d => (d.Model, d.Version, _shadow.Contains(d.Detector)))
            .Concat((_scorer?.Detectors ?? []).Where(d => d.UnavailableReason is null && d.Version != MlDetectors.UnknownVersion)
                .Select(d => (d.Model, d.Version, _shadow.Contains(d.Name))));

    private string Status(ModelControls controls, string detector, string model, string version)
        => controls.DetectorStatus(model, version, _shadow.Contains(detector)).ToString().ToLowerInvariant();

    /// <summary>Why this gateway cannot serve now for want of detector workers: only when the ML
    /// detectors run on workers, an enforced one fails closed, and no worker answers its health
    /// probe with its breaker closed (a listed but unreachable address does not count).</summary>
    public string? WorkersUnavailable(Core.Policy.PolicyOptions policy)
    {
        if (_pool is null)
        {
            return null;
        }

        var failClosed = _expected.Where(d => !_shadow.Contains(d.Name)
            && policy.Categories.TryGetValue(d.Category, out var category) && category.FailClosed).Select(d => d.Category).ToList();
        if (failClosed.Count == 0 || _pool.AnyServing)
        {
            return null;
        }

        return $"no detector worker can serve ({_pool.Describe()}) and {string.Join(", ", failClosed)} fail closed";
    }

    public void Report(ILogger logger)
    {
        foreach (var note in _notes)
        {
            GatewayLog.DetectionNote(logger, note);
        }

        foreach (var detector in (_local?.Detectors ?? []).Where(d => d.UnavailableReason is not null))
        {
            GatewayLog.DetectorUnavailable(logger, detector.Name, _shadow.Contains(detector.Name) ? "shadow, verdicts unaffected" : "its category's fail mode applies", detector.UnavailableReason!);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _topics.Dispose();
        if (_remote is not null)
        {
            await _remote.DisposeAsync();
        }

        if (_pool is not null)
        {
            await _pool.DisposeAsync();
        }

        if (_local is not null)
        {
            await _local.DisposeAsync();
        }
    }
}
