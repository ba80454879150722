using Guardrail.Contracts.V1;
using Guardrail.Core.Screening;
using Guardrail.Detection.Detectors;
using Guardrail.Detection.Remote;
using Guardrail.Rpc;
using Guardrail.Rpc.Server;

namespace Guardrail.Detection.Serving;

/// <summary>
/// guardrail.v1.Detector on a worker: checks the call, queues every (text, detector) pair in the
/// models' dynamic batchers at once (a full queue refuses the whole call with RESOURCE_EXHAUSTED,
/// nothing waits unbounded), gives each text the earlier of the call's deadline and its own budget,
/// and answers in the request's order.
/// </summary>
public sealed class DetectService(LocalTextScorer scorer, WorkerOptions options, TimeProvider time, Func<bool> stopping, int retryPushbackMs)
{
    private readonly IReadOnlyList<string> _served = [.. scorer.Detectors.Select(d => d.Name)];

    public async ValueTask<DetectResponse> DetectAsync(DetectRequest request, ServerCallContext context)
    {
        if (stopping())
        {
            throw new RpcException(StatusCode.Unavailable, $"detector worker {options.Id} is stopping", TimeSpan.Zero);
        }

        var (items, deadlines, shape) = Flatten(request, context.Deadline);
        var scoring = scorer.TryScore(items, deadlines, context.CancellationToken, out var refusal)
            ?? throw new RpcException(StatusCode.ResourceExhausted, $"detector worker {options.Id} is overloaded: {refusal}", TimeSpan.FromMilliseconds(retryPushbackMs));
        var scores = await scoring.WaitAsync(context.CancellationToken).ConfigureAwait(false);
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

    public WorkerHealthResponse Health(string address)
    {
        var health = new WorkerHealthResponse { WorkerId = options.Id, Address = address, Serving = !stopping() };
        foreach (var batcher in scorer.Batchers)
        {
            var d = batcher.Model.Detector;
            health.Models.Add(new WorkerModel
            {
                Detector = d.Name, Category = d.Category, Model = d.Model, Version = d.Version,
                ExecutionProvider = batcher.Model.ExecutionProvider, UnavailableReason = d.UnavailableReason ?? string.Empty,
                QueuedItems = (uint)batcher.QueuedItems, QueueCapacity = (uint)batcher.Capacity, ScoredItems = (ulong)batcher.ScoredItems,
            });
        }

        return health;
    }

    /// <summary>The call as (text, detector) pairs with their deadlines, and how many detectors each text has.</summary>
    private (List<ScoringItem> Items, List<DateTimeOffset> Deadlines, int[] Shape) Flatten(DetectRequest request, DateTimeOffset callDeadline)
    {
        if (request.Texts.Count == 0)
        {
            throw new RpcException(StatusCode.InvalidArgument, "texts is empty: send at least one text to score");
        }

        if (request.Texts.Count > options.MaxTextsPerCall)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"texts has {request.Texts.Count} entries; the limit is {options.MaxTextsPerCall} (Guardrail:Worker:MaxTextsPerCall)");
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
                throw new RpcException(StatusCode.ResourceExhausted, $"texts[{t}] has {text.Text.Length} characters; the limit is {options.MaxTextChars} (Guardrail:Worker:MaxTextChars)");
            }

            var deadline = text.BudgetMs == 0 ? callDeadline : Min(callDeadline, now + TimeSpan.FromMilliseconds(text.BudgetMs));
            IReadOnlyList<string> detectors = text.Detectors.Count == 0 ? _served : text.Detectors;
            foreach (var detector in detectors)
            {
                if (!scorer.Serves(detector))
                {
                    throw new RpcException(StatusCode.InvalidArgument, $"texts[{t}].detectors names '{detector}', which this worker does not serve (serving: {string.Join(", ", _served)})");
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
