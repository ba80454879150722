using Guardrail.Audit.Sealing;
using Guardrail.Core.Detectors;
using Guardrail.Core.Screening;
using Guardrail.Grains;
using Guardrail.State;
using Guardrail.State.Privacy;

namespace Guardrail.Gateway.Privacy;

/// <summary>
/// Reversible anonymisation. Anonymise: in a REDACT verdict's texts, each PII span becomes the
/// session's placeholder for its value ([PERSON_1]); other redacted categories (secrets) stay
/// [REDACTED:RULE]. Values are sealed here with the audit keys, bound to tenant and session, and
/// indexed by a keyed hash, so the session's grain stores and compares no value in clear. Restore:
/// a model output's placeholders are looked up in the same session and opened. One grain call
/// each, only on a REDACT verdict with PII (anonymise) or a deanonymize call whose text holds
/// placeholders (restore). Values never reach a log line.
/// </summary>
public sealed class SessionAnonymizer(GrainStateStore store, AuditKeyRing? keys, GatewayOptions options, ILogger<SessionAnonymizer> logger)
{
    /// <summary>Whether this gateway can seal: audit keys configured.</summary>
    public bool Available => keys is not null;

    /// <summary>The outcome with the session's placeholders in its redacted text and documents, or
    /// as it was (irreversibly redacted) with a reason line when the keys or the session's grain are
    /// not there.</summary>
    public async Task<ScreenOutcome> AnonymizeAsync(string tenantId, string sessionId, ScreenInput input, ScreenOutcome outcome, CancellationToken cancellationToken)
    {
        var redactions = outcome.Redactions ?? [];
        if (outcome.Verdict != Verdict.Redact || !redactions.Any(f => f.Category == DetectorCategory.Pii))
        {
            return outcome;
        }

        if (keys is null)
        {
            return outcome with { Reasons = [.. outcome.Reasons, "REDACT: PII redacted without placeholders: this gateway has no audit keys to seal them with (Guardrail:Audit:KeyDirectory)"] };
        }

        var context = Context(tenantId, sessionId);
        var texts = new List<(string? DocumentId, string Text, List<RedactedSpan> Spans)> { (null, input.Text, Placeholders.Spans(redactions.Where(f => f.DocumentId is null))) };
        texts.AddRange(input.Documents
            .Select(d => ((string?)d.Id, d.Text, Placeholders.Spans(redactions.Where(f => f.DocumentId == d.Id))))
            .Where(t => t.Item3.Count > 0));
        var requests = new List<PlaceholderRequest>();
        var slots = new Dictionary<string, int>(StringComparer.Ordinal); // index -> position in requests
        var spanSlots = new Dictionary<RedactedSpan, int>(ReferenceEqualityComparer.Instance);
        foreach (var (_, text, spans) in texts)
        {
            foreach (var span in spans.Where(s => s.First.Category == DetectorCategory.Pii))
            {
                var kind = Placeholders.KindOf(span.First.Rule);
                var value = text[span.Start..span.End];
                var index = keys.IndexOf(kind + "\n" + value, context);
                if (!slots.TryGetValue(index, out var slot))
                {
                    var (keyId, nonce, data) = keys.SealValue(value, context);
                    slots[index] = slot = requests.Count;
                    requests.Add(new PlaceholderRequest(kind, index, new SealedValue(keyId, nonce, data)));
                }

                spanSlots[span] = slot;
            }
        }

        string?[] assigned;
        try
        {
            assigned = await store.AssignPlaceholdersAsync(tenantId, sessionId, [.. requests], options.MaxPlaceholdersPerSession, cancellationToken).ConfigureAwait(false);
        }
        catch (StateUnavailableException e)
        {
            return outcome with { Reasons = [.. outcome.Reasons, $"REDACT: PII redacted without placeholders: the session's state is unreachable ({e.Message})"] };
        }

        string Label(RedactedSpan span) => spanSlots.TryGetValue(span, out var slot) && assigned[slot] is { } placeholder ? placeholder : Placeholders.Redacted(span);
        var redactedText = Placeholders.Rewrite(input.Text, texts[0].Spans, Label);
        var documents = texts.Skip(1).Select(t => new RedactedDocument(t.DocumentId!, Placeholders.Rewrite(t.Text, t.Spans, Label))).ToList();
        var reasons = assigned.Any(a => a is null)
            ? [.. outcome.Reasons, $"REDACT: the session holds {options.MaxPlaceholdersPerSession} placeholders (Guardrail:Gateway:MaxPlaceholdersPerSession); further PII redacted without one"]
            : outcome.Reasons;
        return outcome with { RedactedText = redactedText, RedactedDocuments = documents, Reasons = reasons };
    }

    /// <summary>The text with the session's placeholders replaced by their originals.</summary>
    /// <exception cref="StateUnavailableException">the session's grain did not answer.</exception>
    public async Task<string> RestoreAsync(string tenantId, string sessionId, string text, CancellationToken cancellationToken)
    {
        var found = Placeholders.Find(text);
        if (found.Count == 0)
        {
            return text;
        }

        if (keys is null)
        {
            throw new InvalidOperationException("this gateway has no audit keys (Guardrail:Audit:KeyDirectory), so it cannot open placeholders");
        }

        var context = Context(tenantId, sessionId);
        var sealedValues = await store.PlaceholderOriginalsAsync(tenantId, sessionId, [.. found], cancellationToken).ConfigureAwait(false);
        var originals = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < found.Count; i++)
        {
            if (sealedValues[i] is not { } sealedValue)
            {
                continue;
            }

            try
            {
                originals[found[i]] = keys.OpenValue(sealedValue.KeyId, sealedValue.Nonce, sealedValue.Data, context);
            }
            catch (AuditKeyException e)
            {
                GatewayLog.PlaceholderUnopened(logger, found[i], e.Message);
            }
        }

        return Placeholders.Restore(text, originals);
    }

    private static string Context(string tenantId, string sessionId) => tenantId + "\n" + sessionId;
}
