using System.Globalization;
using Guardrail.Core.Policy;
using Guardrail.Core.Screening;

namespace Guardrail.State;

/// <summary>
/// Joins a request's screening outcome with its tenant and session state: what the store is told
/// about the turn, and how the store's answer changes the verdict (tightened thresholds while the
/// tenant is anomalous; flag or block as the session's risk escalates; throttle when over quota).
/// </summary>
public static class StatefulVerdict
{
    public static ScreeningTurn Turn(string tenantId, string? sessionId, long nowMs, ScreenInput input, ScreenOutcome outcome, SessionRiskOptions session)
    {
        var chars = (long)input.Text.Length + input.Documents.Sum(d => (long)d.Text.Length);
        var risk = session.CategoryList().Select(c => outcome.CategoryScores.GetValueOrDefault(c)).DefaultIfEmpty(0).Max();
        var flagged = outcome.Verdict is Verdict.Flag or Verdict.Block;
        return new ScreeningTurn(tenantId, string.IsNullOrEmpty(sessionId) ? null : sessionId, nowMs, chars, session.WeightOf(input.Channel), risk, flagged);
    }

    /// <summary>The final outcome of an admitted turn.</summary>
    public static ScreenOutcome Apply(ScreenInput input, ScreenOutcome outcome, TurnOutcome state, TenantPolicy policy, AnomalyOptions anomaly)
    {
        var reasons = new List<string>();
        if (state.TenantAnomalous && anomaly.TightenStep > 0)
        {
            outcome = VerdictEngine.Decide(input, outcome.Findings, outcome.Detectors, outcome.Failures, policy.Tightened(anomaly.TightenStep));
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"tenant anomaly alarm raised (z {state.AnomalyZ:0.0}): thresholds lowered by {anomaly.TightenStep:0.##}"));
        }

        var verdict = outcome.Verdict;
        if (state.SessionLevel == SessionLevel.Block && verdict < Verdict.Block)
        {
            verdict = Verdict.Block;
            reasons.Add(state.LockedUntilMs > 0
                ? string.Create(CultureInfo.InvariantCulture, $"BLOCK: session risk {state.SessionRisk:0.00}; session locked until {DateTimeOffset.FromUnixTimeMilliseconds(state.LockedUntilMs):O}")
                : string.Create(CultureInfo.InvariantCulture, $"BLOCK: session risk {state.SessionRisk:0.00} reached the block level"));
        }
        else if (state.SessionLevel == SessionLevel.Flag && verdict < Verdict.Flag)
        {
            verdict = Verdict.Flag;
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"FLAG: session risk {state.SessionRisk:0.00} reached the flag level"));
        }

        if (state.Fallback)
        {
            reasons.Add("state store unreachable: quota and session risk from this gateway's local fallback (tenant policy is fail-open)");
        }

        // A verdict raised above REDACT by the session no longer hands back redacted text.
        var redacted = verdict == Verdict.Redact;
        return reasons.Count == 0 ? outcome : outcome with
        {
            Verdict = verdict,
            Reasons = [.. outcome.Reasons, .. reasons],
            RedactedText = redacted ? outcome.RedactedText : null,
            RedactedDocuments = redacted ? outcome.RedactedDocuments : [],
        };
    }

    /// <summary>The reason line of a throttled turn.</summary>
    public static string ThrottleReason(TurnOutcome state) => state.Throttle switch
    {
        ThrottleKind.Rate => $"THROTTLE: tenant request rate over its quota; retry after {state.RetryAfterMs} ms",
        _ => $"THROTTLE: tenant daily character budget spent; retry after {state.RetryAfterMs} ms (next UTC day)",
    };
}
