using System.Globalization;
using Guardrail.Core.Policy;

namespace Guardrail.Core.Screening;

/// <summary>
/// Decides the verdict from findings and the tenant policy. Findings are grouped per text (the
/// request's own, or one document) and category; a group's score is the noisy-or of its distinct
/// rules' best scores, so independent evidence adds up while one rule matching twice does not.
/// Each group calls for BLOCK, REDACT or FLAG by the category's thresholds; the most severe wins.
/// A detector that could not run calls for FLAG, or BLOCK where its category fails closed.
/// </summary>
public static class VerdictEngine
{
    public static ScreenOutcome Decide(ScreenInput input, IReadOnlyList<Finding> findings, IReadOnlyList<DetectorRun> runs, IReadOnlyList<DetectorFailure> failures, TenantPolicy policy)
    {
        var verdict = Verdict.Allow;
        var reasons = new List<string>();
        foreach (var failure in failures)
        {
            var closed = policy.Categories.TryGetValue(failure.Category, out var failRule) && failRule.FailClosed;
            var action = closed ? Verdict.Block : Verdict.Flag;
            verdict = action > verdict ? action : verdict;
            reasons.Add($"{action.ToString().ToUpperInvariant()}: detector {failure.Detector} did not run ({(closed ? "fail-closed" : "fail-open")}): {failure.Reason}");
        }

        var redact = new List<Finding>();
        var categoryScores = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var group in findings.GroupBy(f => (f.DocumentId, f.Category)).OrderBy(g => g.Key.DocumentId, StringComparer.Ordinal))
        {
            if (group.Key.Category == TenantRules.Category)
            {
                // A tenant's own rule acts as it says, whatever its score.
                var inWhat = group.Key.DocumentId is null ? "text" : $"document '{group.Key.DocumentId}'";
                foreach (var byRule in group.GroupBy(f => f.Rule))
                {
                    var ruleAction = policy.Rules.ActionOf(byRule.Key);
                    if (ruleAction == Verdict.Redact)
                    {
                        redact.AddRange(byRule);
                    }

                    verdict = ruleAction > verdict ? ruleAction : verdict;
                    reasons.Add($"{ruleAction.ToString().ToUpperInvariant()}: tenant rule '{byRule.Key}' in {inWhat}");
                }

                continue;
            }

            if (!policy.Categories.TryGetValue(group.Key.Category, out var rule))
            {
                continue;
            }

            var best = group.GroupBy(f => f.Rule).Select(r => (Rule: r.Key, Score: r.Max(f => f.Score))).OrderByDescending(r => r.Score).ToList();
            var score = 1 - best.Aggregate(1.0, (miss, r) => miss * (1 - r.Score));
            categoryScores[group.Key.Category] = Math.Max(categoryScores.GetValueOrDefault(group.Key.Category), (float)score);
            var action = score >= rule.BlockAt ? Verdict.Block
                : score >= rule.FlagAt ? (rule.Redact ? Verdict.Redact : Verdict.Flag)
                : Verdict.Allow;
            if (action == Verdict.Allow)
            {
                continue;
            }

            if (action == Verdict.Redact)
            {
                redact.AddRange(group);
            }

            verdict = action > verdict ? action : verdict;
            var where = group.Key.DocumentId is null ? "text" : $"document '{group.Key.DocumentId}'";
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"{action.ToString().ToUpperInvariant()}: {group.Key.Category} {score:0.00} in {where} ({string.Join(", ", best.Select(r => r.Rule))})"));
        }

        string? redactedText = null;
        var redactedDocuments = new List<RedactedDocument>();
        if (verdict == Verdict.Redact)
        {
            redactedText = Redact(input.Text, redact.Where(f => f.DocumentId is null));
            foreach (var document in input.Documents)
            {
                var spans = redact.Where(f => f.DocumentId == document.Id).ToList();
                if (spans.Count > 0)
                {
                    redactedDocuments.Add(new RedactedDocument(document.Id, Redact(document.Text, spans)));
                }
            }
        }

        return new ScreenOutcome(verdict, findings, runs, reasons, redactedText, redactedDocuments, failures, categoryScores, verdict == Verdict.Redact ? redact : []);
    }

    /// <summary>Replaces each finding's span with [REDACTED:RULE]; overlapping spans merge.</summary>
    public static string Redact(string text, IEnumerable<Finding> findings)
        => Placeholders.Rewrite(text, Placeholders.Spans(findings), Placeholders.Redacted);
}
