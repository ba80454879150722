using Guardrail.Audit;
using Guardrail.Audit.Records;
using Guardrail.Core.Policy;
using Guardrail.Core.Registry;
using Guardrail.Core.Screening;
using Guardrail.Grains;
using Guardrail.State.Control;
using Guardrail.State.Isolation;

namespace Guardrail.Gateway.Control;

/// <summary>
/// The gateway's half of the isolation rules: counts each target model's screened outputs and
/// blocked outputs, sends the counts to the model's grain every
/// <see cref="IsolationRuleOptions.ReportMs"/> (one grain call per model per period, not one per
/// Screen call), and carries out the trigger the grain answers: auto isolates the model through the
/// registry (persisted, then announced, as an operator's IsolateModel) with the rule's fallback;
/// suggest flags it. Either is audited with the evidence (counts, categories, request ids) under the
/// actor <see cref="Actor"/>. An isolated model is not counted: its outputs are blocked by the
/// isolation, not by what they say. Counts of a period whose report fails are dropped (logged).
/// </summary>
public sealed class IsolationRuleReporter(
    IGrainFactory grains, IsolationRuleOptions options, ModelRegistry registry, ControlPlaneView control, AuditTrail audit,
    TimeProvider time, ILogger<IsolationRuleReporter> logger) : BackgroundService
{
    public const string Actor = "isolation-rule";

    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private Dictionary<string, Tally> _pending = new(StringComparer.Ordinal);
    private long _dropped;

    /// <summary>One screened model output: counted when it names a model that is not isolated and
    /// whose rule is not off. Blocked means a category reached its block point (not a session lock
    /// or a detector that could not run, which say nothing of the model).</summary>
    public void Observe(string modelId, ScreenOutcome outcome, TenantPolicy policy, string requestId)
    {
        if (modelId.Length == 0 || !ModelEntry.IsValidName(modelId) || control.Models.Target(modelId) is { Status: ModelStatus.Isolated })
        {
            return;
        }

        List<string>? blockedBy = null;
        if (outcome.Verdict == Verdict.Block)
        {
            foreach (var (category, score) in outcome.CategoryScores)
            {
                if (policy.Categories.TryGetValue(category, out var rule) && score >= rule.BlockAt)
                {
                    (blockedBy ??= []).Add(category);
                }
            }
        }

        lock (_lock)
        {
            if (!_pending.TryGetValue(modelId, out var tally))
            {
                if (_pending.Count >= options.MaxModelsPerReport)
                {
                    _dropped++;
                    return;
                }

                _pending[modelId] = tally = new Tally();
            }

            tally.Outputs++;
            if (blockedBy is not null)
            {
                tally.Blocked++;
                if (tally.RequestIds.Count == BlockedOutputWindow.MaxRequestIds)
                {
                    tally.RequestIds.Dequeue();
                }

                tally.RequestIds.Enqueue(requestId);
                foreach (var category in blockedBy)
                {
                    tally.Categories[category] = tally.Categories.GetValueOrDefault(category) + 1;
                }
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.ReportMs), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await ReportAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Sends this period's counts, one grain call per model, and acts on any trigger.</summary>
    public async Task ReportAsync(CancellationToken cancellationToken)
    {
        Dictionary<string, Tally> period;
        long dropped;
        lock (_lock)
        {
            if (_pending.Count == 0 && _dropped == 0)
            {
                return;
            }

            (period, _pending) = (_pending, new Dictionary<string, Tally>(StringComparer.Ordinal));
            (dropped, _dropped) = (_dropped, 0);
        }

        if (dropped > 0)
        {
            GatewayLog.IsolationRuleModelsDropped(logger, dropped, options.MaxModelsPerReport);
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        // A silo that does not answer must not stall the reports behind it: each period's calls
        // get ReportTimeout, and what they carried is dropped (logged) past it.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(ReportTimeout);
        await Task.WhenAll(period.Select(async pair =>
        {
            var (modelId, tally) = pair;
            var rule = options.RuleFor(modelId);
            if (rule.Mode == IsolationMode.Off)
            {
                return;
            }

            try
            {
                var report = new ModelOutputReport(now, tally.Outputs, tally.Blocked, [.. tally.RequestIds], tally.Categories);
                var trigger = await grains.GetGrain<IModelGrain>(modelId).Report(report, rule, bounded.Token).ConfigureAwait(false);
                if (trigger is not null)
                {
                    await ActAsync(trigger, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                GatewayLog.IsolationRuleReportFailed(logger, modelId, tally.Outputs, e.GetType().Name, e.Message);
            }
        })).ConfigureAwait(false);
    }

    private async Task ActAsync(IsolationTrigger trigger, CancellationToken cancellationToken)
    {
        var evidence = trigger.Evidence();
        if (trigger.Rule.Mode == IsolationMode.Suggest)
        {
            GatewayLog.IsolationSuggested(logger, trigger.ModelId, trigger.Blocked, trigger.Outputs, trigger.Rule.WindowSeconds);
            GatewayMetrics.IsolationRuleActed(trigger.ModelId, "suggest");
            await audit.RecordAdminAsync(AdminAuditRecords.Cluster, Actor, "suggest-isolate-model", trigger.ModelId, evidence, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        // A trigger can come twice for one incident (reports that left other gateways before they
        // learnt of the isolation); the registry, read fresh, says whether it is already done.
        var current = (await registry.ReadAsync(cancellationToken).ConfigureAwait(false)).Target(trigger.ModelId);
        if (current is { Status: ModelStatus.Isolated })
        {
            return;
        }

        try
        {
            await registry.IsolateAsync(ModelKind.Target, trigger.ModelId, trigger.Reason(), trigger.Rule.Fallback, Actor, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ControlPlaneException or State.StateUnavailableException or TimeoutException)
        {
            GatewayLog.IsolationRuleFailed(logger, trigger.ModelId, e.Message);
            await audit.RecordAdminAsync(AdminAuditRecords.Cluster, Actor, "auto-isolate-model", trigger.ModelId, "failed: " + e.Message + "; " + evidence, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        await control.RefreshAsync(cancellationToken).ConfigureAwait(false);
        GatewayLog.IsolatedByRule(logger, trigger.ModelId, trigger.Blocked, trigger.Outputs, trigger.Rule.WindowSeconds, trigger.Rule.Fallback);
        GatewayMetrics.IsolationRuleActed(trigger.ModelId, "auto");
        await audit.RecordAdminAsync(AdminAuditRecords.Cluster, Actor, "auto-isolate-model", trigger.ModelId, evidence, CancellationToken.None).ConfigureAwait(false);
    }

    private sealed class Tally
    {
        public int Outputs { get; set; }

        public int Blocked { get; set; }

        public Queue<string> RequestIds { get; } = new();

        public Dictionary<string, int> Categories { get; } = new(StringComparer.Ordinal);
    }
}
