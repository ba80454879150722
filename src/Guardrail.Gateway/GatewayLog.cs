using Guardrail.Core.Screening;

namespace Guardrail.Gateway;

/// <summary>Gateway log events. Ids, verdicts and counts only: never prompt or document text.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Guardrail gateway listening on {Address} (h2c)")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "API KEYS ARE OFF (Guardrail:Auth:Enabled=false): every caller is served as tenant '{TenantId}' and may call Admin (isolate models, create keys). Turn keys on for anything but a single trusted caller")]
    public static partial void NoApiKeys(ILogger logger, string tenantId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Screened {RequestId}: {Verdict}, {Findings} findings, {Documents} documents, {ElapsedMs:0.000} ms")]
    public static partial void Screened(ILogger logger, string requestId, Verdict verdict, int findings, int documents, double elapsedMs);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Detection: {Note}")]
    public static partial void DetectionNote(ILogger logger, string note);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Detector {Detector} cannot run ({Mode}): {Reason}")]
    public static partial void DetectorUnavailable(ILogger logger, string detector, string mode, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "State store: {Store}")]
    public static partial void StateStore(ILogger logger, string store);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "State store unreachable: {Reason}; fail-open tenants are served from the local fallback, fail-closed tenants get UNAVAILABLE")]
    public static partial void StateStoreDown(ILogger logger, string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "State store reachable again: {Reason}")]
    public static partial void StateStoreUp(ILogger logger, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Operations endpoints on {Address}: /metrics /healthz /readyz")]
    public static partial void OpsListening(ILogger logger, string address);

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "HTTP/JSON on {Address}: POST /v1/screen, /v1/... (Admin), OpenAPI at /openapi/v1.json, its UI at /docs")]
    public static partial void HttpListening(ILogger logger, string address);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Audit log: {Sink}; text retained (sealed) for verdicts: {Retained}")]
    public static partial void Audit(ILogger logger, string sink, string retained);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "API keys required: {OperatorKeys} operator key(s) configured; tenant keys in the control plane ({Store})")]
    public static partial void ApiKeys(ILogger logger, int operatorKeys, string store);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Model registry revision {Revision} applied: {Summary}")]
    public static partial void RegistryApplied(ILogger logger, long revision, string summary);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Registered {Model} in the model registry ({Status})")]
    public static partial void ModelRegistered(ILogger logger, string model, string status);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Control plane: {Reason}")]
    public static partial void ControlPlaneDown(ILogger logger, string reason);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "Control plane: {Reason}")]
    public static partial void ControlPlaneUp(ILogger logger, string reason);

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Isolation rule suggests isolating target model {Model}: {Blocked} of {Outputs} outputs blocked in {WindowSeconds} s (mode suggest: not isolated; the audit log holds the evidence)")]
    public static partial void IsolationSuggested(ILogger logger, string model, int blocked, int outputs, int windowSeconds);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "Isolation rule isolated target model {Model}: {Blocked} of {Outputs} outputs blocked in {WindowSeconds} s; fallback '{Fallback}' (an operator restores it: guardrailctl models restore --target)")]
    public static partial void IsolatedByRule(ILogger logger, string model, int blocked, int outputs, int windowSeconds, string fallback);

    [LoggerMessage(EventId = 42, Level = LogLevel.Error, Message = "Isolation rule could not isolate target model {Model}: {Reason}; it acts again when the rate holds")]
    public static partial void IsolationRuleFailed(ILogger logger, string model, string reason);

    [LoggerMessage(EventId = 43, Level = LogLevel.Warning, Message = "Isolation rule counts of target model {Model} lost ({Outputs} outputs this period): {Error}: {Reason}")]
    public static partial void IsolationRuleReportFailed(ILogger logger, string model, int outputs, string error, string reason);

    [LoggerMessage(EventId = 44, Level = LogLevel.Warning, Message = "Isolation rules: {Dropped} outputs of models past the {Limit} a period counts were not counted (Guardrail:IsolationRules:MaxModelsPerReport)")]
    public static partial void IsolationRuleModelsDropped(ILogger logger, long dropped, int limit);

    [LoggerMessage(EventId = 45, Level = LogLevel.Warning, Message = "Placeholder {Placeholder} left in place: its sealed original does not open ({Reason})")]
    public static partial void PlaceholderUnopened(ILogger logger, string placeholder, string reason);
}
