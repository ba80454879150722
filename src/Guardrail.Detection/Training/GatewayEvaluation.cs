using Guardrail.Core.Policy;
using Guardrail.Core.Screening;

namespace Guardrail.Detection.Training;

/// <summary>One file's rows of one label, as the gateway answered them: the share of each verdict
/// and the detectors that had findings in the rows it did not allow (most rows first).</summary>
public sealed record GatewayEvaluationRow(string File, int Label, int Rows, double Flagged, double Redacted, double Blocked, IReadOnlyList<(string Detector, int Rows)> Detectors)
{
    /// <summary>Rows answered FLAG or BLOCK: what an attack should get and a benign text should not
    /// (REDACT is personal data or a secret masked, which the call goes on with).</summary>
    public double FlaggedOrBlocked => Flagged + Blocked;
}

/// <summary>
/// What a gateway's screening does with labelled texts, verdict by verdict: every row is screened
/// alone through the pipeline given, as a request of its own (a user prompt, a tool output, a model
/// output, or the one document of an otherwise empty request), under the tenant policy given. The
/// model evaluations score one model; this is the whole request path (phrase rules, hidden
/// payloads, personal data, secrets, the ML models with their cascade), without what a session adds
/// over several calls (risk, quota).
/// </summary>
public static class GatewayEvaluation
{
    public static async Task<IReadOnlyList<GatewayEvaluationRow>> RunAsync(
        IReadOnlyList<LabeledText> rows, ScreeningPipeline pipeline, TenantPolicy policy, Channel channel, int concurrency, Action<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        var outcomes = new ScreenOutcome[rows.Count];
        var next = -1;
        var done = 0;
        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < rows.Count)
            {
                outcomes[i] = await pipeline.ScreenAsync(InputOf(rows[i].Text, channel), policy, DateTimeOffset.UtcNow.AddMinutes(1), cancellationToken).ConfigureAwait(false);
                var finished = Interlocked.Increment(ref done);
                if (finished % 500 == 0)
                {
                    progress?.Invoke(finished);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker, cancellationToken))).ConfigureAwait(false);
        return [.. Enumerable.Range(0, rows.Count)
            .GroupBy(i => (rows[i].File, rows[i].Label))
            .OrderBy(g => g.Key.File, StringComparer.Ordinal).ThenByDescending(g => g.Key.Label)
            .Select(g => Row(g.Key.File, g.Key.Label, [.. g.Select(i => outcomes[i])]))];
    }

    /// <summary>A row's text as the request a service would send: a document, as the one document
    /// (retrieved content) of an otherwise empty request; anything else as the request's own text on
    /// its channel (a tool result is a request on the tool-output channel, as the Screen API takes it).</summary>
    public static ScreenInput InputOf(string text, Channel channel) => channel == Channel.Document
        ? new ScreenInput(Channel.UserPrompt, string.Empty, [new DocumentInput("eval-document", "retrieval", text)], [])
        : new ScreenInput(channel, text, [], []);

    private static GatewayEvaluationRow Row(string file, int label, IReadOnlyList<ScreenOutcome> outcomes)
    {
        double Share(Verdict v) => (double)outcomes.Count(o => o.Verdict == v) / outcomes.Count;
        var detectors = outcomes.Where(o => o.Verdict != Verdict.Allow)
            .SelectMany(o => o.Findings.Select(f => f.Detector).Distinct())
            .GroupBy(d => d)
            .Select(d => (d.Key, d.Count()))
            .OrderByDescending(d => d.Item2).ThenBy(d => d.Key, StringComparer.Ordinal)
            .ToList();
        return new GatewayEvaluationRow(file, label, outcomes.Count, Share(Verdict.Flag), Share(Verdict.Redact), Share(Verdict.Block), detectors);
    }
}
