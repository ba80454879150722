using System.Diagnostics;
using System.Numerics;
using System.Threading.Channels;
using Guardrail.Contracts.V1;
using Guardrail.Core.Screening;
using Guardrail.Detection.Detectors;
using Grpc.Core;
using Guardrail.Contracts.Client;
using Microsoft.Extensions.Logging;
using Channel = System.Threading.Channels.Channel;
using DetectorStatus = Guardrail.Core.Screening.DetectorStatus;

namespace Guardrail.Detection.Remote;

/// <summary>
/// The ML detectors on detector workers. Concurrent Screen calls' texts are gathered into one
/// Detect call (up to <see cref="WorkerPoolOptions.MicroBatchMaxItems"/>, waiting at most
/// <see cref="WorkerPoolOptions.MicroBatchWaitMicroseconds"/>), sent to the least loaded worker
/// with each text's remaining time as its budget, and moved to another worker on UNAVAILABLE,
/// RESOURCE_EXHAUSTED, a broken connection or a timeout. What no worker can answer in time comes
/// back timed out or failed, with the reason, and the tenant's fail mode decides.
/// </summary>
public sealed class RemoteTextScorer : ITextScorer, IAsyncDisposable
{
    private static readonly ActivitySource Tracing = new("Guardrail.Detection");
    private readonly WorkerPool _pool;
    private readonly WorkerPoolOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Request> _queue = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _dispatch;
    private readonly IReadOnlyList<ModelDetector> _expected;
    private readonly Dictionary<string, ModelDetector> _catalog;
    private volatile DetectorsOf _detectors = new(null, []);
    private long _unserved;

    /// <param name="expected">The ML detectors this gateway asks workers for (default: <see cref="MlDetectors.Catalog"/>).</param>
    public RemoteTextScorer(WorkerPool pool, WorkerPoolOptions options, ILogger logger, TimeProvider? time = null, IReadOnlyList<ModelDetector>? expected = null)
    {
        _expected = expected ?? MlDetectors.Catalog;
        _catalog = _expected.ToDictionary(d => d.Name, StringComparer.Ordinal);
        _pool = pool;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _dispatch = Task.Run(DispatchLoopAsync);
    }

    /// <summary>The ML detectors, with the model@version the workers last registered (answers carry
    /// the version that actually scored each text). Read once per Screen call, so it is worked out
    /// once per membership refresh (the pool swaps its worker list on each).</summary>
    public IReadOnlyList<ModelDetector> Detectors
    {
        get
        {
            var workers = _pool.Workers;
            var cached = _detectors;
            if (ReferenceEquals(cached.Workers, workers))
            {
                return cached.Detectors;
            }

            var registered = workers.SelectMany(w => w.Registration.Models).ToLookup(m => m.Detector, StringComparer.Ordinal);
            IReadOnlyList<ModelDetector> detectors = [.. _expected.Select(d => registered[d.Name].FirstOrDefault() is { } m ? d with { Model = m.Model, Version = m.Version } : d)];
            _detectors = new DetectorsOf(workers, detectors);
            return detectors;
        }
    }

    public async Task<ItemScore[]> ScoreAsync(IReadOnlyList<ScoringItem> items, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var request = new Request(items, deadline, Activity.Current?.Context ?? default);
        _queue.Writer.TryWrite(request);
        return await request.Answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task DispatchLoopAsync()
    {
        var reader = _queue.Reader;
        var wait = TimeSpan.FromMicroseconds(_options.MicroBatchWaitMicroseconds);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var batch = new List<Request>();
            var items = 0;
            var first = _time.GetTimestamp();
            while (items < _options.MicroBatchMaxItems)
            {
                if (reader.TryRead(out var next))
                {
                    batch.Add(next);
                    items += next.Items.Count;
                    continue;
                }

                var left = wait - _time.GetElapsedTime(first);
                if (batch.Count > 0 && left <= TimeSpan.Zero)
                {
                    break;
                }

                using var timeout = new CancellationTokenSource(batch.Count == 0 ? Timeout.InfiniteTimeSpan : left, _time);
                try
                {
                    if (!await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            if (batch.Count > 0)
            {
                _ = SendAsync(batch); // answers through each request's Answer; never faults
            }
        }
    }

    private async Task SendAsync(List<Request> batch)
    {
        // One Detect call serves several Screen calls: its span continues the first one's trace
        // and links the others, so each Screen trace leads to the worker.
        using var span = Tracing.StartActivity("detect on a worker", ActivityKind.Internal, batch[0].Trace,
            links: batch.Skip(1).Where(r => r.Trace != default).Select(r => new ActivityLink(r.Trace)));
        span?.SetTag("guardrail.screen_calls", batch.Count);
        var (call, slots) = Build(batch);
        var texts = call.Texts.Count;
        WorkerPoolMetrics.MicroBatch(texts, batch.Count);
        var tried = new List<WorkerEndpoint>();
        var failures = new List<string>();
        while (tried.Count < _options.MaxAttempts)
        {
            var remaining = batch.Max(r => r.Deadline) - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                Finish(batch, DetectorStatus.TimedOut, "the Screen deadline passed before a detector worker answered" + Tried(failures));
                return;
            }

            var worker = _pool.Pick(tried);
            if (worker is null)
            {
                break;
            }

            tried.Add(worker);
            span?.SetTag("guardrail.worker", worker.Id);
            worker.Sent(texts);
            var started = _time.GetTimestamp();
            try
            {
                var timeout = TimeSpan.FromMilliseconds(Math.Min(remaining.TotalMilliseconds, _options.DetectTimeoutMs));
                var response = await worker.Client.DetectAsync(call, deadline: DateTime.UtcNow + timeout).ConfigureAwait(false);
                worker.Breaker.Success();
                WorkerPoolMetrics.Call("OK", _time.GetElapsedTime(started), tried.Count > 1);
                Deliver(batch, slots, response, worker.Id);
                return;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown or StatusCode.Cancelled)
            {
                WorkerPoolMetrics.Call(e.StatusCode.Canonical(), _time.GetElapsedTime(started), tried.Count > 1);
                failures.Add($"{worker.Id}: {e.StatusCode.Canonical()} {e.Status.Detail}");
                // An overloaded worker is healthy, just busy: only real failures count towards its breaker.
                if (e.StatusCode != StatusCode.ResourceExhausted && worker.Breaker.Failure())
                {
                    WorkerPoolMetrics.BreakerOpened();
                    WorkerPoolLog.BreakerOpened(_logger, worker.Id, e.Status.Detail);
                }
            }
            catch (RpcException e)
            {
                // Anything else (INVALID_ARGUMENT, UNIMPLEMENTED...) would fail on every worker alike.
                WorkerPoolMetrics.Call(e.StatusCode.Canonical(), _time.GetElapsedTime(started), tried.Count > 1);
                Finish(batch, DetectorStatus.Failed, $"detector worker {worker.Id} refused the call: {e.StatusCode.Canonical()} {e.Status.Detail}");
                return;
            }
            finally
            {
                worker.Answered(texts);
            }
        }

        var known = _pool.Workers.Count;
        var reason = known == 0
            ? $"no detector worker is registered ({_pool.Describe()}{(_pool.MembershipError is { } error ? $"; membership unreadable: {error}" : string.Empty)})"
            : $"no detector worker could answer ({known} known, {_pool.Workers.Count(w => w.Breaker.Current == CircuitBreaker.State.Open)} with an open circuit breaker)" + Tried(failures);
        Finish(batch, DetectorStatus.Failed, reason);
    }

    private static string Tried(List<string> failures) => failures.Count == 0 ? string.Empty : "; tried " + string.Join("; ", failures);

    /// <summary>The Detect call for a batch of requests: a request's texts that go to several
    /// detectors are sent once, with all of them, and its remaining time as their budget.</summary>
    private (DetectRequest Call, List<(int Text, int Score)>[] Slots) Build(List<Request> batch)
    {
        var call = new DetectRequest();
        var slots = new List<(int Text, int Score)>[batch.Count];
        var now = _time.GetUtcNow();
        for (var r = 0; r < batch.Count; r++)
        {
            var request = batch[r];
            var budget = (uint)Math.Clamp((request.Deadline - now).TotalMilliseconds, 1, uint.MaxValue);
            var byText = new Dictionary<string, int>(ReferenceEqualityComparer.Instance);
            slots[r] = new List<(int, int)>(request.Items.Count);
            foreach (var item in request.Items)
            {
                if (!byText.TryGetValue(item.Text, out var index))
                {
                    index = call.Texts.Count;
                    byText[item.Text] = index;
                    call.Texts.Add(new DetectText { Id = index.ToString(System.Globalization.CultureInfo.InvariantCulture), Text = item.Text, BudgetMs = budget });
                }

                var text = call.Texts[index];
                slots[r].Add((index, text.Detectors.Count));
                text.Detectors.Add(item.Detector);
            }
        }

        return (call, slots);
    }

    private void Deliver(List<Request> batch, List<(int Text, int Score)>[] slots, DetectResponse response, string workerId)
    {
        for (var r = 0; r < batch.Count; r++)
        {
            var request = batch[r];
            var answers = new ItemScore[request.Items.Count];
            for (var k = 0; k < answers.Length; k++)
            {
                var (text, score) = slots[r][k];
                var detector = Known(request.Items[k].Detector);
                answers[k] = text < response.Results.Count && score < response.Results[text].Scores.Count
                    ? DetectWire.FromWire(response.Results[text].Scores[score], detector, workerId)
                    : ItemScore.NotRun(DetectorStatus.Failed, detector, $"detector worker {workerId} answered without this text's score");
            }

            request.Answer.TrySetResult(answers);
        }
    }

    private void Finish(List<Request> batch, DetectorStatus status, string reason)
    {
        var items = batch.Sum(r => r.Items.Count);
        if (BitOperations.IsPow2(Interlocked.Increment(ref _unserved)))
        {
            WorkerPoolLog.NoWorker(_logger, items, reason); // 1st, 2nd, 4th, 8th... time: loud, not a flood
        }

        WorkerPoolMetrics.Unserved(items);
        foreach (var request in batch)
        {
            request.Answer.TrySetResult([.. request.Items.Select(i => ItemScore.NotRun(status, Known(i.Detector), reason))]);
        }
    }

    /// <summary>The catalog entry of a detector name (a stand-in for a name the catalog lacks).</summary>
    private ModelDetector Known(string detector)
        => _catalog.GetValueOrDefault(detector) ?? new ModelDetector(detector, string.Empty, "unknown", MlDetectors.UnknownVersion);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _dispatch.ConfigureAwait(false);
    }

    /// <summary>The detectors as worked out from one worker list (swapped whole, so readers see a pair).</summary>
    private sealed record DetectorsOf(IReadOnlyList<WorkerEndpoint>? Workers, IReadOnlyList<ModelDetector> Detectors);

    /// <summary>One Screen call's texts, with the trace context it was scored in.</summary>
    private sealed record Request(IReadOnlyList<ScoringItem> Items, DateTimeOffset Deadline, ActivityContext Trace)
    {
        public TaskCompletionSource<ItemScore[]> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
