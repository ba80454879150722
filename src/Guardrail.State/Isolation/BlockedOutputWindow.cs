namespace Guardrail.State.Isolation;

/// <summary>
/// One target model's outputs and blocked outputs over a sliding window of one-second buckets, and
/// the decision of its rule. A crossing answers one <see cref="IsolationTrigger"/> and the window
/// starts afresh. After a suggestion the rule rests for one window, so operators get one notice per
/// window, not one per report; after an auto isolation gateways stop reporting the model (its
/// outputs are blocked by the isolation, which says nothing of the model), and counting resumes
/// from zero when an operator restores it.
/// Not thread-safe: its owner (the model's grain) applies one report at a time.
/// </summary>
public sealed class BlockedOutputWindow
{
    public const int MaxRequestIds = 20;

    private readonly Queue<Bucket> _buckets = new();
    private readonly Queue<(long Ms, string Id)> _requestIds = new();
    private Bucket? _newest;
    private long _restUntilMs = long.MinValue;

    public int Outputs { get; private set; }

    public int Blocked { get; private set; }

    /// <summary>Adds one gateway's report and answers the trigger when the rule is crossed.</summary>
    public IsolationTrigger? Add(string modelId, ModelOutputReport report, IsolationRule rule)
    {
        Prune(report.NowMs, rule.WindowSeconds);
        if (report.Outputs > 0)
        {
            var second = report.NowMs / 1000;
            if (_newest is null || _newest.Second < second)
            {
                _newest = new Bucket(second);
                _buckets.Enqueue(_newest);
            }

            // A late report (another gateway's clock a little behind) joins the newest bucket.
            var bucket = _newest;
            bucket.Outputs += report.Outputs;
            bucket.Blocked += report.Blocked;
            foreach (var (category, count) in report.BlockedCategories)
            {
                bucket.Categories[category] = bucket.Categories.GetValueOrDefault(category) + count;
            }

            Outputs += report.Outputs;
            Blocked += report.Blocked;
            foreach (var id in report.BlockedRequestIds.TakeLast(MaxRequestIds))
            {
                _requestIds.Enqueue((report.NowMs, id));
            }

            while (_requestIds.Count > MaxRequestIds)
            {
                _requestIds.Dequeue();
            }
        }

        if (rule.Mode == IsolationMode.Off || report.NowMs < _restUntilMs || Outputs < rule.MinOutputs || Blocked < rule.BlockedRate * Outputs)
        {
            return null;
        }

        var categories = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var bucket in _buckets)
        {
            foreach (var (category, count) in bucket.Categories)
            {
                categories[category] = categories.GetValueOrDefault(category) + count;
            }
        }

        var trigger = new IsolationTrigger(modelId, rule, Outputs, Blocked, categories, [.. _requestIds.Select(r => r.Id)], report.NowMs);
        Clear();
        if (rule.Mode == IsolationMode.Suggest)
        {
            _restUntilMs = report.NowMs + (rule.WindowSeconds * 1000L);
        }

        return trigger;
    }

    private void Clear()
    {
        _newest = null;
        _buckets.Clear();
        _requestIds.Clear();
        Outputs = 0;
        Blocked = 0;
    }

    private void Prune(long nowMs, int windowSeconds)
    {
        var oldest = (nowMs / 1000) - windowSeconds + 1;
        while (_buckets.Count > 0 && _buckets.Peek().Second < oldest)
        {
            var gone = _buckets.Dequeue();
            Outputs -= gone.Outputs;
            Blocked -= gone.Blocked;
            if (gone == _newest)
            {
                _newest = null;
            }
        }

        while (_requestIds.Count > 0 && _requestIds.Peek().Ms / 1000 < oldest)
        {
            _requestIds.Dequeue();
        }
    }

    private sealed class Bucket(long second)
    {
        public long Second { get; } = second;

        public int Outputs { get; set; }

        public int Blocked { get; set; }

        public Dictionary<string, int> Categories { get; } = new(StringComparer.Ordinal);
    }
}
