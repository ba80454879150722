using System.Threading.Channels;
using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;
using Channel = System.Threading.Channels.Channel;

namespace Guardrail.Detection.Detectors;

/// <summary>
/// Groups texts from concurrent calls into batches for one model: a batch runs when
/// <see cref="BatchingOptions.MaxBatchItems"/> texts wait or the first has waited
/// <see cref="BatchingOptions.MaxWaitMicroseconds"/>. The queue is bounded: <see cref="TryEnqueue"/>
/// admits all of a call's texts or none. Texts whose deadline has passed (or whose caller left) are
/// dropped before inference. Up to <see cref="BatchingOptions.Runners"/> batches of a model run at
/// once; they fill batches from the shared queue one at a time.
/// </summary>
public sealed class DynamicBatcher : IAsyncDisposable
{
    private readonly IScoringModel _model;
    private readonly BatchingOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _filling = new(1, 1);
    private readonly Task _loop;
    private int _queued;
    private long _scored;

    public DynamicBatcher(IScoringModel model, BatchingOptions options, TimeProvider? time = null)
    {
        _model = model;
        _options = options;
        _time = time ?? TimeProvider.System;
        _loop = Task.WhenAll(Enumerable.Range(0, options.RunnerCount).Select(_ => Task.Run(RunAsync)));
        BatcherMetrics.Observe(this);
    }

    public IScoringModel Model => _model;

    /// <summary>Texts waiting for a batch now.</summary>
    public int QueuedItems => Volatile.Read(ref _queued);

    public int Capacity => _options.QueueCapacity;

    /// <summary>Texts scored since start.</summary>
    public long ScoredItems => Interlocked.Read(ref _scored);

    /// <summary>Queues every text, or none when that would pass the queue's capacity (then null).
    /// Each task ends with the text's score, or a <see cref="DetectorStatus.TimedOut"/> /
    /// <see cref="DetectorStatus.Failed"/> answer; it never faults.</summary>
    public Task<ItemScore>[]? TryEnqueue(IReadOnlyList<(NormalizedText Text, DateTimeOffset Deadline)> texts, CancellationToken cancellationToken)
    {
        if (Interlocked.Add(ref _queued, texts.Count) > _options.QueueCapacity || _stopping.IsCancellationRequested)
        {
            Interlocked.Add(ref _queued, -texts.Count);
            BatcherMetrics.Items(_model.Detector.Model, "rejected", texts.Count);
            return null;
        }

        var tasks = new Task<ItemScore>[texts.Count];
        var now = _time.GetTimestamp();
        for (var i = 0; i < texts.Count; i++)
        {
            var pending = new Pending(texts[i].Text, texts[i].Deadline, now, cancellationToken);
            tasks[i] = pending.Answer.Task;
            _queue.Writer.TryWrite(pending);
        }

        return tasks;
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>(_options.MaxBatchItems);
        var maxWait = TimeSpan.FromMicroseconds(_options.MaxWaitMicroseconds);
        try
        {
            while (true)
            {
                // One runner fills at a time (the others run their batches): runners filling side by
                // side would split a burst into partial batches, each then waiting out MaxWait.
                await _filling.WaitAsync(_stopping.Token).ConfigureAwait(false);
                try
                {
                    await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false);
                    batch.Clear();
                    await FillAsync(reader, batch, maxWait).ConfigureAwait(false);
                }
                finally
                {
                    _filling.Release();
                }

                Interlocked.Add(ref _queued, -batch.Count);
                Run(batch);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }

        while (reader.TryRead(out var left))
        {
            left.Answer.TrySetResult(ItemScore.NotRun(DetectorStatus.Failed, _model.Detector, "detector is stopping"));
        }
    }

    /// <summary>Takes texts until the batch is full or its first text has waited long enough.</summary>
    private async Task FillAsync(ChannelReader<Pending> reader, List<Pending> batch, TimeSpan maxWait)
    {
        while (batch.Count < _options.MaxBatchItems)
        {
            if (reader.TryRead(out var next))
            {
                batch.Add(next);
                continue;
            }

            var waited = batch.Count == 0 ? TimeSpan.Zero : _time.GetElapsedTime(batch[0].Queued);
            if (batch.Count > 0 && waited >= maxWait)
            {
                return;
            }

            if (batch.Count == 0)
            {
                await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false);
                continue;
            }

            using var wait = new CancellationTokenSource(maxWait - waited, _time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, _stopping.Token);
            try
            {
                await reader.WaitToReadAsync(either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private void Run(List<Pending> batch)
    {
        var now = _time.GetUtcNow();
        var live = new List<Pending>(batch.Count);
        foreach (var item in batch)
        {
            if (item.Deadline <= now || item.CancellationToken.IsCancellationRequested)
            {
                var waited = _time.GetElapsedTime(item.Queued).TotalMilliseconds;
                item.Answer.TrySetResult(ItemScore.NotRun(DetectorStatus.TimedOut, _model.Detector, $"deadline passed after {waited:0.#} ms in the queue; not scored"));
                continue;
            }

            live.Add(item);
        }

        BatcherMetrics.Items(_model.Detector.Model, "expired", batch.Count - live.Count);
        if (live.Count == 0)
        {
            return;
        }

        BatcherMetrics.Batch(_model.Detector.Model, live.Count, _time.GetElapsedTime(live[0].Queued));
        TextScore[] scores;
        try
        {
            scores = _model.Score(live.ConvertAll(p => p.Text));
        }
        catch (Exception e)
        {
            // Whatever a model throws (ORT's error, a bug), the loop must live on and every caller get
            // an answer: the batch's texts are answered as failed and the fail mode decides.
            BatcherMetrics.Items(_model.Detector.Model, "failed", live.Count);
            live.ForEach(p => p.Answer.TrySetResult(ItemScore.NotRun(DetectorStatus.Failed, _model.Detector, e.Message)));
            return;
        }

        Interlocked.Add(ref _scored, live.Count);
        BatcherMetrics.Items(_model.Detector.Model, "scored", live.Count);
        var detector = _model.Detector;
        for (var i = 0; i < live.Count; i++)
        {
            live[i].Answer.TrySetResult(new ItemScore(DetectorStatus.Ran, scores[i].Score, scores[i].Start, scores[i].End, detector.Model, detector.Version, null));
        }
    }

    /// <summary>Stops taking texts, answers those still queued as failed, and waits for the running batch.</summary>
    public async ValueTask DisposeAsync()
    {
        BatcherMetrics.Forget(this);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
        _filling.Dispose();
    }

    private sealed record Pending(NormalizedText Text, DateTimeOffset Deadline, long Queued, CancellationToken CancellationToken)
    {
        public TaskCompletionSource<ItemScore> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
