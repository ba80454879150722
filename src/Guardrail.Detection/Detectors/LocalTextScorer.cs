using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;

namespace Guardrail.Detection.Detectors;

/// <summary>
/// The ML detectors in this process: one <see cref="DynamicBatcher"/> per model. The gateway uses
/// it directly in embedded mode; a detector worker serves Detect with it. Either way texts from
/// concurrent requests share batches.
/// </summary>
public sealed class LocalTextScorer : ITextScorer, IAsyncDisposable
{
    private readonly Dictionary<string, DynamicBatcher> _byName;

    public LocalTextScorer(IEnumerable<IScoringModel> models, BatchingOptions options, TimeProvider? time = null)
    {
        Batchers = [.. models.Select(m => new DynamicBatcher(m, options, time))];
        _byName = Batchers.ToDictionary(b => b.Model.Detector.Name, StringComparer.Ordinal);
        Detectors = [.. Batchers.Select(b => b.Model.Detector)];
    }

    public IReadOnlyList<ModelDetector> Detectors { get; }

    public IReadOnlyList<DynamicBatcher> Batchers { get; }

    public bool Serves(string detector) => _byName.ContainsKey(detector);

    /// <summary>Queues every item, or none: when one model's queue has no room for its share, what
    /// was queued for the others is still scored but the call is refused (null, with
    /// <paramref name="refusal"/> naming the model), so a caller can go elsewhere at once.
    /// Items of an unavailable model are answered as failed without queueing.</summary>
    /// <param name="deadlines">Each item's deadline (a worker gives each text its own budget).</param>
    public Task<ItemScore[]>? TryScore(IReadOnlyList<ScoringItem> items, IReadOnlyList<DateTimeOffset> deadlines, CancellationToken cancellationToken, out string? refusal)
    {
        refusal = null;
        var answers = new Task<ItemScore>[items.Count];
        foreach (var group in Enumerable.Range(0, items.Count).GroupBy(i => items[i].Detector, StringComparer.Ordinal))
        {
            if (!_byName.TryGetValue(group.Key, out var batcher))
            {
                throw new ArgumentException($"no detector named '{group.Key}' here (serving: {string.Join(", ", _byName.Keys)})", nameof(items));
            }

            var indexes = group.ToList();
            if (batcher.Model.Detector.UnavailableReason is { } reason)
            {
                indexes.ForEach(i => answers[i] = Task.FromResult(ItemScore.NotRun(DetectorStatus.Failed, batcher.Model.Detector, reason)));
                continue;
            }

            // The pipeline hands over its normalised texts; a worker's texts from the wire are normalised here.
            var queued = batcher.TryEnqueue(indexes.ConvertAll(i => (items[i].Normalized ?? TextNormalizer.Normalize(items[i].Text), deadlines[i])), cancellationToken);
            if (queued is null)
            {
                refusal = $"{group.Key} queue is full ({batcher.QueuedItems} of {batcher.Capacity} texts waiting)";
                return null;
            }

            for (var k = 0; k < indexes.Count; k++)
            {
                answers[indexes[k]] = queued[k];
            }
        }

        return Task.WhenAll(answers);
    }

    public Task<ItemScore[]> ScoreAsync(IReadOnlyList<ScoringItem> items, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var scoring = TryScore(items, [.. Enumerable.Repeat(deadline, items.Count)], cancellationToken, out var refusal);
        if (scoring is not null)
        {
            return scoring;
        }

        var detectors = Detectors.ToDictionary(d => d.Name, StringComparer.Ordinal);
        return Task.FromResult(items.Select(i => ItemScore.NotRun(DetectorStatus.Failed, detectors[i.Detector], $"overloaded: {refusal}")).ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var batcher in Batchers)
        {
            await batcher.DisposeAsync().ConfigureAwait(false);
        }
    }
}
