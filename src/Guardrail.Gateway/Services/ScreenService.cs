using System.Diagnostics;
using Guardrail.Audit;
using Guardrail.Contracts.V1;
using Guardrail.Core.Policy;
using Guardrail.Core.Registry;
using Guardrail.Core.Screening;
using Guardrail.Gateway.Control;
using Guardrail.Gateway.Privacy;
using Guardrail.Gateway.Security;
using Grpc.Core;
using Guardrail.Contracts.Client;
using Guardrail.Contracts.Server;
using Guardrail.State;
using Guardrail.State.Control;
using Channel = Guardrail.Core.Screening.Channel;
using DetectorRun = Guardrail.Core.Screening.DetectorRun;
using DetectorStatus = Guardrail.Core.Screening.DetectorStatus;
using Finding = Guardrail.Core.Screening.Finding;
using TenantPolicy = Guardrail.Core.Policy.TenantPolicy;
using Verdict = Guardrail.Core.Screening.Verdict;

namespace Guardrail.Gateway.Services;

/// <summary>guardrail.v1.Screen: authenticates the caller (its key names the tenant), checks the
/// request against the limits, runs the pipeline under the tenant's policy and the model registry
/// as this gateway applies it (an isolated target model_id is answered BLOCK; a model's screened
/// outputs count towards its isolation rule), records the turn in the state store (one operation: quota, session risk,
/// anomaly baselines), lets the store's answer raise the verdict, maps the outcome to the wire and
/// queues the audit record before the answer leaves.</summary>
[BindServiceMethod(typeof(StrictBinding<Screen.ScreenBase>), nameof(StrictBinding<Screen.ScreenBase>.Bind))]
public sealed class ScreenService(
    ScreeningPipeline pipeline, ApiKeyAuthenticator auth, TenantPolicies policies, ControlPlaneView control,
    GatewayOptions options, FailoverStateStore state, StateOptions stateOptions, AuditTrail audit, IsolationRuleReporter isolationRules, SessionAnonymizer anonymizer, TimeProvider time, ILogger<ScreenService> logger)
    : Screen.ScreenBase
{
    public override async Task<ScreenResponse> Screen(ScreenRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var caller = await auth.AuthenticateAsync(context);
        caller.RequireScreen();
        var input = ToInput(request);
        var policy = await policies.ForAsync(caller.Tenant, context.CancellationToken);
        context.CancellationToken.ThrowIfCancellationRequested();
        var controls = control.Models;
        var outcome = await pipeline.ScreenAsync(input, policy, ScoringDeadline(context.DeadlineUtc()), context.CancellationToken, controls);
        var requestId = Guid.CreateVersion7().ToString("N");
        var turn = StatefulVerdict.Turn(policy.TenantId, request.SessionId, time.GetUtcNow().ToUnixTimeMilliseconds(), input, outcome, stateOptions.Session);
        TurnOutcome recorded;
        try
        {
            recorded = await state.RecordTurnAsync(turn, policy.StateFailClosed, context.CancellationToken);
        }
        catch (StateUnavailableException e)
        {
            throw RpcErrors.Status(StatusCode.Unavailable, $"state store unreachable and tenant '{policy.TenantId}' fails closed (Guardrail:Policy:StateFailClosed): {e.Message}");
        }

        ScreenResponse response;
        if (!recorded.Admitted)
        {
            // Over quota: the request is not served, so no findings are handed out either.
            response = new ScreenResponse { Verdict = Contracts.V1.Verdict.Throttle, RequestId = requestId, PolicyVersion = policy.Version, TenantId = policy.TenantId };
            response.Reasons.Add(StatefulVerdict.ThrottleReason(recorded));
            outcome = outcome with { Verdict = Verdict.Throttle };
        }
        else
        {
            outcome = StatefulVerdict.Apply(input, outcome, recorded, policy, stateOptions.Anomaly);
            var isolated = controls.Target(request.ModelId) is { Status: Core.Registry.ModelStatus.Isolated } target ? target : null;
            if (isolated is not null)
            {
                // Detectors still ran (session risk, audit); the isolation decides.
                outcome = outcome with { Verdict = Verdict.Block, Reasons = ["BLOCK: " + ModelControls.IsolationReason(isolated), .. outcome.Reasons], RedactedText = null, RedactedDocuments = [] };
            }

            if (policy.Anonymize && request.SessionId.Length > 0 && input.Channel != Channel.ModelOutput)
            {
                outcome = await anonymizer.AnonymizeAsync(policy.TenantId, request.SessionId, input, outcome, context.CancellationToken);
            }

            response = ToResponse(requestId, input, outcome, policy);
            response.FallbackModelId = isolated?.Fallback ?? string.Empty;
            if (request.Deanonymize && outcome.Verdict is Verdict.Allow or Verdict.Flag or Verdict.Redact)
            {
                response.RestoredText = await RestoreAsync(policy, request.SessionId, outcome.Verdict == Verdict.Redact ? response.RedactedText : request.Text, context.CancellationToken);
            }
            if (input.Channel == Channel.ModelOutput)
            {
                isolationRules.Observe(request.ModelId, outcome, policy, requestId);
            }
        }

        response.RetryAfterMs = (ulong)recorded.RetryAfterMs;
        response.SessionRisk = (float)recorded.SessionRisk;
        response.SessionLockedUntilMs = (ulong)Math.Max(0, recorded.LockedUntilMs);
        response.TenantAnomalous = recorded.TenantAnomalous;
        response.StateFallback = recorded.Fallback;
        await audit.RecordScreenAsync(request, response, Stopwatch.GetElapsedTime(started), context.CancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started);
        GatewayMetrics.Screened(policy.TenantId, outcome.Verdict, outcome.Detectors, elapsed);
        GatewayLog.Screened(logger, requestId, outcome.Verdict, outcome.Findings.Count, input.Documents.Count, elapsed.TotalMilliseconds);
        return response;
    }

    private async Task<string> RestoreAsync(TenantPolicy policy, string sessionId, string text, CancellationToken cancellationToken)
    {
        try
        {
            return await anonymizer.RestoreAsync(policy.TenantId, sessionId, text, cancellationToken);
        }
        catch (StateUnavailableException e)
        {
            throw RpcErrors.Status(StatusCode.Unavailable, $"the session's placeholders are unreachable; retry: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            throw RpcErrors.Status(StatusCode.FailedPrecondition, e.Message);
        }
    }

    /// <summary>The ML scoring gets the call's time less a reserve for the state store (its bound,
    /// <see cref="StateOptions.TimeoutMs"/>) and the audit record: a fifth of what is left, at most
    /// that bound and 50 ms more. A reserve smaller than the state's bound let a slow detector spend
    /// the time the state call may take, and a fail-open call then missed its deadline as the state
    /// store went away, instead of being served from the fallback.</summary>
    private DateTimeOffset ScoringDeadline(DateTimeOffset deadline)
    {
        var remaining = deadline - time.GetUtcNow();
        return deadline - TimeSpan.FromMilliseconds(Math.Clamp(remaining.TotalMilliseconds / 5, 0, stateOptions.TimeoutMs + 50));
    }

    private ScreenInput ToInput(ScreenRequest request)
    {
        if (request.Text.Length == 0 && request.Documents.Count == 0)
        {
            throw Invalid("text is empty: send the text to screen, or documents");
        }

        CheckLength("text", request.Text.Length, options.MaxTextChars, nameof(options.MaxTextChars));
        CheckCount("documents", request.Documents.Count, options.MaxDocuments, nameof(options.MaxDocuments));
        CheckCount("metadata", request.Metadata.Count, options.MaxListEntries, nameof(options.MaxListEntries));
        CheckCount("canary_tokens", request.CanaryTokens.Count, options.MaxListEntries, nameof(options.MaxListEntries));
        CheckId("session_id", request.SessionId);
        CheckId("model_id", request.ModelId);
        if (!Enum.IsDefined(request.Channel))
        {
            throw Invalid($"channel {(int)request.Channel} is not a known channel");
        }

        if (request.Deanonymize && (request.Channel != Contracts.V1.Channel.ModelOutput || request.SessionId.Length == 0))
        {
            throw Invalid("deanonymize restores a session's placeholders in a model's output: it needs channel CHANNEL_MODEL_OUTPUT and the session_id the placeholders were made in");
        }

        var documents = new DocumentInput[request.Documents.Count];
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < documents.Length; i++)
        {
            var document = request.Documents[i];
            if (document.Id.Length == 0)
            {
                throw Invalid($"documents[{i}].id is empty: findings refer to documents by id");
            }

            CheckId($"documents[{i}].id", document.Id);
            if (!ids.Add(document.Id))
            {
                throw Invalid($"documents[{i}].id repeats an earlier document's id");
            }

            CheckLength($"documents[{i}].text", document.Text.Length, options.MaxTextChars, nameof(options.MaxTextChars));
            documents[i] = new DocumentInput(document.Id, document.Source, document.Text);
        }

        var channel = request.Channel switch
        {
            Contracts.V1.Channel.Document => Channel.Document,
            Contracts.V1.Channel.ToolOutput => Channel.ToolOutput,
            Contracts.V1.Channel.ModelOutput => Channel.ModelOutput,
            _ => Channel.UserPrompt,
        };
        return new ScreenInput(channel, request.Text, documents, request.CanaryTokens);
    }

    private ScreenResponse ToResponse(string requestId, ScreenInput input, ScreenOutcome outcome, TenantPolicy policy)
    {
        var response = new ScreenResponse
        {
            Verdict = ToWire(outcome.Verdict),
            RequestId = requestId,
            RedactedText = outcome.RedactedText ?? string.Empty,
            PolicyVersion = policy.Version,
            TenantId = policy.TenantId,
        };
        response.Reasons.Add(outcome.Reasons);
        var documents = input.Documents.ToDictionary(d => d.Id, StringComparer.Ordinal);
        var indexes = new Dictionary<string, CodePointIndex>(StringComparer.Ordinal);
        foreach (var finding in outcome.Findings.Take(options.MaxFindings))
        {
            var key = finding.DocumentId ?? string.Empty;
            if (!indexes.TryGetValue(key, out var index))
            {
                indexes[key] = index = new CodePointIndex(finding.DocumentId is null ? input.Text : documents[finding.DocumentId].Text);
            }

            response.Findings.Add(ToWire(finding, index));
        }

        response.FindingsOmitted = (uint)Math.Max(0, outcome.Findings.Count - options.MaxFindings);

        foreach (var run in outcome.Detectors)
        {
            response.Detectors.Add(ToWire(run));
        }

        foreach (var document in outcome.RedactedDocuments)
        {
            response.RedactedDocuments.Add(new Document { Id = document.Id, Source = documents[document.Id].Source, Text = document.Text });
        }

        return response;
    }

    private static Contracts.V1.Finding ToWire(Finding finding, CodePointIndex index)
    {
        return new Contracts.V1.Finding
        {
            Detector = finding.Detector,
            Category = finding.Category,
            Rule = finding.Rule,
            Score = finding.Score,
            DocumentId = finding.DocumentId ?? string.Empty,
            Span = new Span { Start = (uint)index.Before(finding.Start), End = (uint)index.Before(finding.End) },
            Hidden = finding.Hidden,
            HiddenAs = finding.HiddenAs ?? string.Empty,
        };
    }

    private static Contracts.V1.DetectorRun ToWire(DetectorRun run) => new()
    {
        Detector = run.Detector,
        Model = run.Model,
        Version = run.Version,
        Score = run.Score,
        Reason = run.Reason ?? string.Empty,
        Status = ToWire(run.Status),
    };

    internal static Contracts.V1.DetectorStatus ToWire(DetectorStatus status) => status switch
    {
        DetectorStatus.Ran => Contracts.V1.DetectorStatus.Ran,
        DetectorStatus.Skipped => Contracts.V1.DetectorStatus.Skipped,
        DetectorStatus.SkippedIsolated => Contracts.V1.DetectorStatus.SkippedIsolated,
        DetectorStatus.TimedOut => Contracts.V1.DetectorStatus.TimedOut,
        DetectorStatus.Shadow => Contracts.V1.DetectorStatus.Shadow,
        _ => Contracts.V1.DetectorStatus.Failed,
    };

    internal static Contracts.V1.Verdict ToWire(Verdict verdict) => verdict switch
    {
        Verdict.Allow => Contracts.V1.Verdict.Allow,
        Verdict.Flag => Contracts.V1.Verdict.Flag,
        Verdict.Redact => Contracts.V1.Verdict.Redact,
        Verdict.Block => Contracts.V1.Verdict.Block,
        _ => Contracts.V1.Verdict.Throttle,
    };

    private static void CheckLength(string field, int length, int limit, string option)
    {
        if (length > limit)
        {
            throw RpcErrors.Status(StatusCode.ResourceExhausted, $"{field} has {length} characters; the limit is {limit} (Guardrail:Gateway:{option})");
        }
    }

    private static void CheckCount(string field, int count, int limit, string option)
    {
        if (count > limit)
        {
            throw RpcErrors.Status(StatusCode.ResourceExhausted, $"{field} has {count} entries; the limit is {limit} (Guardrail:Gateway:{option})");
        }
    }

    private void CheckId(string field, string value)
    {
        if (value.Length > options.MaxIdChars)
        {
            throw Invalid($"{field} has {value.Length} characters; the limit is {options.MaxIdChars} (Guardrail:Gateway:MaxIdChars)");
        }
    }

    private static RpcException Invalid(string detail) => RpcErrors.Status(StatusCode.InvalidArgument, detail);
}
