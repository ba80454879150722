using System.Collections.Concurrent;
using System.Diagnostics;
using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;
using Guardrail.Detection.Detectors;

namespace Guardrail.Detection.Tests;

/// <summary>The dynamic batcher's rules, with a model that records its batches and can be held.</summary>
public sealed class DynamicBatcherTests
{
    private sealed class RecordingModel : IScoringModel
    {
        public ConcurrentQueue<IReadOnlyList<string>> Batches { get; } = new();

        public ConcurrentQueue<IReadOnlyList<NormalizedText>> Normalized { get; } = new();

        public SemaphoreSlim Entered { get; } = new(0);

        public ManualResetEventSlim Gate { get; } = new(true);

        public ModelDetector Detector { get; } = new("recording", DetectorCategory.Injection, "recording-model", "9.9.9");

        public string ExecutionProvider => "cpu";

        public TextScore[] ScoreBatch(IReadOnlyList<string> texts) => Score([.. texts.Select(TextNormalizer.Normalize)]);

        public TextScore[] Score(IReadOnlyList<NormalizedText> normalized)
        {
            var texts = normalized.Select(n => n.Original).ToList();
            Normalized.Enqueue(normalized);
            Batches.Enqueue(texts);
            Entered.Release();
            Gate.Wait(TimeSpan.FromSeconds(30));
            if (texts.Contains("boom"))
            {
                throw new InvalidOperationException("model failed on purpose");
            }

            return [.. texts.Select(t => new TextScore(t.Length / 100f, 0, t.Length))];
        }
    }

    private static (NormalizedText, DateTimeOffset)[] Texts(int count, TimeSpan? life = null, string prefix = "text")
        => [.. Enumerable.Range(0, count).Select(i => (TextNormalizer.Normalize($"{prefix}-{i}"), DateTimeOffset.UtcNow + (life ?? TimeSpan.FromMinutes(1))))];

    [Fact]
    public async Task A_batch_runs_as_soon_as_it_is_full()
    {
        var model = new RecordingModel();
        await using var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchItems = 4, MaxWaitMicroseconds = 10_000_000 });
        var answers = await Task.WhenAll(batcher.TryEnqueue(Texts(8), CancellationToken.None)!).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([4, 4], model.Batches.Select(b => b.Count));
        Assert.All(answers, a => Assert.Equal((DetectorStatus.Ran, "9.9.9"), (a.Status, a.Version)));
        Assert.Equal(0.06f, answers[0].Score);
        Assert.Equal(8, batcher.ScoredItems);
    }

    [Fact]
    public async Task The_scorer_hands_the_pipelines_normalised_text_to_the_model_and_normalises_a_bare_one()
    {
        var model = new RecordingModel();
        await using var scorer = new LocalTextScorer([model], new BatchingOptions { MaxBatchItems = 2, MaxWaitMicroseconds = 10_000_000 });
        var given = TextNormalizer.Normalize("Ｉgnore «all» of it");
        var answers = await scorer.ScoreAsync([new ScoringItem(given.Original, "recording", given), new ScoringItem("Ｆrom the wire", "recording")], DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(5));
        Assert.All(answers, a => Assert.Equal(DetectorStatus.Ran, a.Status));
        var batch = Assert.Single(model.Normalized);
        Assert.Same(given, batch[0]); // not normalised a second time
        Assert.Equal(("Ｆrom the wire", "From the wire"), (batch[1].Original, batch[1].Clean));
    }

    [Fact]
    public async Task A_lone_text_waits_at_most_the_max_wait()
    {
        var model = new RecordingModel();
        await using var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchItems = 64, MaxWaitMicroseconds = 50_000 });
        var clock = Stopwatch.StartNew();
        var answer = await batcher.TryEnqueue(Texts(1), CancellationToken.None)![0].WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(DetectorStatus.Ran, answer.Status);
        Assert.InRange(clock.ElapsedMilliseconds, 45, 4000);
        Assert.Equal([1], model.Batches.Select(b => b.Count));
    }

    [Fact]
    public async Task A_full_queue_refuses_the_whole_call_and_never_grows()
    {
        var model = new RecordingModel();
        await using var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchItems = 2, MaxWaitMicroseconds = 0, QueueCapacity = 4, Runners = 1 });
        model.Gate.Reset();
        var running = batcher.TryEnqueue(Texts(2, prefix: "running"), CancellationToken.None)!;
        Assert.True(await model.Entered.WaitAsync(TimeSpan.FromSeconds(5)));
        var queued = batcher.TryEnqueue(Texts(3), CancellationToken.None);
        Assert.NotNull(queued);
        Assert.Null(batcher.TryEnqueue(Texts(2), CancellationToken.None)); // 3 + 2 > 4: none of the two queued
        var last = batcher.TryEnqueue(Texts(1, prefix: "last"), CancellationToken.None);
        Assert.NotNull(last);
        Assert.Equal(4, batcher.QueuedItems);
        Assert.Null(batcher.TryEnqueue(Texts(1), CancellationToken.None));
        model.Gate.Set();
        var answers = await Task.WhenAll([.. running, .. queued!, .. last!]).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.All(answers, a => Assert.Equal(DetectorStatus.Ran, a.Status));
        Assert.Equal(6, model.Batches.Sum(b => b.Count));
        Assert.Equal(0, batcher.QueuedItems);
    }

    [Fact]
    public async Task Texts_past_their_deadline_are_dropped_before_inference()
    {
        var model = new RecordingModel();
        await using var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchItems = 8, MaxWaitMicroseconds = 0, Runners = 1 });
        model.Gate.Reset();
        var running = batcher.TryEnqueue(Texts(1, prefix: "running"), CancellationToken.None)!;
        Assert.True(await model.Entered.WaitAsync(TimeSpan.FromSeconds(5)));
        var doomed = batcher.TryEnqueue(Texts(2, TimeSpan.FromMilliseconds(30), "doomed"), CancellationToken.None)!;
        using var gone = new CancellationTokenSource();
        var abandoned = batcher.TryEnqueue(Texts(1, prefix: "abandoned"), gone.Token)!;
        var alive = batcher.TryEnqueue(Texts(1, prefix: "alive"), CancellationToken.None)!;
        await gone.CancelAsync();
        await Task.Delay(100);
        model.Gate.Set();
        var answers = await Task.WhenAll([.. running, .. doomed, .. abandoned, .. alive]).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([DetectorStatus.Ran, DetectorStatus.TimedOut, DetectorStatus.TimedOut, DetectorStatus.TimedOut, DetectorStatus.Ran], answers.Select(a => a.Status));
        Assert.Contains("not scored", answers[1].Reason);
        Assert.DoesNotContain(model.Batches.SelectMany(b => b), t => t.StartsWith("doomed", StringComparison.Ordinal) || t.StartsWith("abandoned", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Each_runner_runs_its_own_batch_at_the_same_time()
    {
        var model = new RecordingModel();
        await using var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchItems = 2, MaxWaitMicroseconds = 0, Runners = 2 });
        model.Gate.Reset();
        var first = batcher.TryEnqueue(Texts(2, prefix: "a"), CancellationToken.None)!;
        var second = batcher.TryEnqueue(Texts(2, prefix: "b"), CancellationToken.None)!;
        Assert.True(await model.Entered.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(await model.Entered.WaitAsync(TimeSpan.FromSeconds(5)), "the second batch should start while the first is still running");
        model.Gate.Set();
        await Task.WhenAll([.. first, .. second]).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_failing_model_answers_failed_and_the_batcher_lives_on()
    {
        var model = new RecordingModel();
        await using var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchItems = 8, MaxWaitMicroseconds = 0 });
        var failed = await batcher.TryEnqueue([(TextNormalizer.Normalize("boom"), DateTimeOffset.UtcNow.AddMinutes(1))], CancellationToken.None)![0].WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((DetectorStatus.Failed, "model failed on purpose"), (failed.Status, failed.Reason));
        var next = await batcher.TryEnqueue(Texts(1), CancellationToken.None)![0].WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(DetectorStatus.Ran, next.Status);
    }

    [Fact]
    public async Task Stopping_answers_what_is_still_queued()
    {
        var model = new RecordingModel();
        var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchItems = 1, MaxWaitMicroseconds = 0, Runners = 1 });
        model.Gate.Reset();
        var running = batcher.TryEnqueue(Texts(1), CancellationToken.None)!;
        Assert.True(await model.Entered.WaitAsync(TimeSpan.FromSeconds(5)));
        var queued = batcher.TryEnqueue(Texts(3), CancellationToken.None)!;
        var stopping = batcher.DisposeAsync().AsTask();
        model.Gate.Set();
        await stopping.WaitAsync(TimeSpan.FromSeconds(5));
        var answers = await Task.WhenAll([.. running, .. queued]).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(DetectorStatus.Ran, answers[0].Status);
        Assert.Contains(answers.Skip(1), a => a.Status == DetectorStatus.Failed && a.Reason == "detector is stopping");
    }
}
