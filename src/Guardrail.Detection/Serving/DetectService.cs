using Guardrail.Contracts.V1;
using Guardrail.Core.Registry;
using Guardrail.Core.Screening;
using DetectorStatus = Guardrail.Core.Screening.DetectorStatus;
using ModelStatus = Guardrail.Core.Registry.ModelStatus;
using Guardrail.Detection.Detectors;
using Guardrail.Detection.Remote;
using Grpc.Core;
using Guardrail.Contracts.Client;
using Guardrail.Contracts.Server;

namespace Guardrail.Detection.Serving;

/// <summary>
/// guardrail.v1.Detector on a worker: checks the call, queues every (text, detector) pair in the
/// models' dynamic batchers at once (a full queue refuses the whole call with RESOURCE_EXHAUSTED,
/// nothing waits unbounded), gives each text the earlier of the call's deadline and its own budget,
/// and answers in the request's order. A model the registry isolates is not called: its texts are
/// answered ISOLATED at once, whatever the gateway believed when it sent them.
/// </summary>
/// <param name="address">The address gateways call this worker at (known once it listens).</param>
[BindServiceMethod(typeof(StrictBinding<Detector.DetectorBase>), nameof(StrictBinding<Detector.DetectorBase>.Bind))]
public sealed class DetectService(
    LocalTextScorer scorer, WorkerOptions options, TimeProvider time, Func<bool> stopping, int retryPushbackMs, Func<string> address, Func<ModelControls>? registry = null)
    : Detector.DetectorBase
{
    private readonly IReadOnlyList<string> _served = [.. scorer.Detectors.Select(d => d.Name)];
    private readonly Dictionary<string, ModelDetector> _byName = scorer.Detectors.ToDictionary(d => d.Name, StringComparer.Ordinal);

    public override async Task<DetectResponse> Detect(DetectRequest request, ServerCallContext context)
    {
        if (stopping())
        {
            throw RpcErrors.Status(StatusCode.Unavailable, $"detector worker {options.Id} is stopping", TimeSpan.Zero);
        }

        var (items, deadlines, shape) = Flatten(request, context.DeadlineUtc());
        var scores = await ScoreAsync(items, deadlines, context.CancellationToken).ConfigureAwait(false);
        var response = new DetectResponse { WorkerId = options.Id };
        var k = 0;
        for (var t = 0; t < request.Texts.Count; t++)
        {
            var result = new TextScores { Id = request.Texts[t].Id };
            for (var d = 0; d < shape[t]; d++, k++)
            {
                result.Scores.Add(DetectWire.ToWire(scores[k], items[k].Detector));
            }

            response.Results.Add(result);
        }

        return response;
    }

    /// <summary>Queues the items of models in use (all or nothing) and answers the isolated ones at once.</summary>
    private async Task<ItemScore[]> ScoreAsync(List<ScoringItem> items, List<DateTimeOffset> deadlines, CancellationToken cancellationToken)
    {
        var controls = registry?.Invoke() ?? ModelControls.Empty;
        var scores = new ItemScore[items.Count];
        var queued = new List<int>(items.Count);
        for (var k = 0; k < items.Count; k++)
        {
            var detector = _byName[items[k].Detector];
            if (controls.Detector(detector.Model, detector.Version) is { Status: ModelStatus.Isolated } entry)
            {
                scores[k] = ItemScore.NotRun(DetectorStatus.SkippedIsolated, detector, ModelControls.IsolationReason(entry));
            }
            else
            {
                queued.Add(k);
            }
        }

        if (queued.Count == 0)
        {
            return scores;
        }

        var all = queued.Count == items.Count;
        var scoring = scorer.TryScore(all ? items : [.. queued.Select(k => items[k])], all ? deadlines : [.. queued.Select(k => deadlines[k])], cancellationToken, out var refusal)
            ?? throw RpcErrors.Status(StatusCode.ResourceExhausted, $"detector worker {options.Id} is overloaded: {refusal}", TimeSpan.FromMilliseconds(retryPushbackMs));
        var scored = await scoring.WaitAsync(cancellationToken).ConfigureAwait(false);
        for (var q = 0; q < queued.Count; q++)
        {
            scores[queued[q]] = scored[q];
        }

        return scores;
    }

    public override Task<WorkerHealthResponse> Health(WorkerHealthRequest request, ServerCallContext context) => Task.FromResult(Health());

    public WorkerHealthResponse Health()
    {
        var health = new WorkerHealthResponse { WorkerId = options.Id, Address = address(), Serving = !stopping() };
        var controls = registry?.Invoke();
        foreach (var batcher in scorer.Batchers)
        {
            var d = batcher.Model.Detector;
            health.Models.Add(new WorkerModel
            {
                Detector = d.Name, Category = d.Category, Model = d.Model, Version = d.Version,
                ExecutionProvider = batcher.Model.ExecutionProvider, UnavailableReason = d.UnavailableReason ?? string.Empty,
                QueuedItems = (uint)batcher.QueuedItems, QueueCapacity = (uint)batcher.Capacity, ScoredItems = (ulong)batcher.ScoredItems,
                RegistryStatus = controls is null ? string.Empty : controls.DetectorStatus(d.Model, d.Version, configuredShadow: false).ToString().ToLowerInvariant(),
                RegistryRevision = (ulong)(controls?.Revision ?? 0),
            });
        }

        return health;
    }

    /// <summary>The call as (text, detector) pairs with their deadlines, and how many detectors each text has.</summary>
    private (List<ScoringItem> Items, List<DateTimeOffset> Deadlines, int[] Shape) Flatten(DetectRequest request, DateTimeOffset callDeadline)
    {
        if (request.Texts.Count == 0)
        {
            throw RpcErrors.Status(StatusCode.InvalidArgument, "texts is empty: send at least one text to score");
        }

        if (request.Texts.Count > options.MaxTextsPerCall)
        {
            throw RpcErrors.Status(StatusCode.ResourceExhausted, $"texts has {request.Texts.Count} entries; the limit is {options.MaxTextsPerCall} (Guardrail:Worker:MaxTextsPerCall)");
        }

        var now = time.GetUtcNow();
        var items = new List<ScoringItem>(request.Texts.Count * 2);
        var deadlines = new List<DateTimeOffset>(request.Texts.Count * 2);
        var shape = new int[request.Texts.Count];
        for (var t = 0; t < request.Texts.Count; t++)
        {
            var text = request.Texts[t];
            if (text.Text.Length > options.MaxTextChars)
            {
                throw RpcErrors.Status(StatusCode.ResourceExhausted, $"texts[{t}] has {text.Text.Length} characters; the limit is {options.MaxTextChars} (Guardrail:Worker:MaxTextChars)");
            }

            var deadline = text.BudgetMs == 0 ? callDeadline : Min(callDeadline, now + TimeSpan.FromMilliseconds(text.BudgetMs));
            IReadOnlyList<string> detectors = text.Detectors.Count == 0 ? _served : text.Detectors;
            foreach (var detector in detectors)
            {
                if (!scorer.Serves(detector))
                {
                    throw RpcErrors.Status(StatusCode.InvalidArgument, $"texts[{t}].detectors names '{detector}', which this worker does not serve (serving: {string.Join(", ", _served)})");
                }

                items.Add(new ScoringItem(text.Text, detector));
                deadlines.Add(deadline);
            }

            shape[t] = detectors.Count;
        }

        return (items, deadlines, shape);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
