using Guardrail.Core.Screening;

namespace Guardrail.Gateway;

/// <summary>Gateway log events. Ids, verdicts and counts only: never prompt or document text.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Guardrail gateway listening on {Address} (h2c)")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Embedded mode: every caller is served as tenant '{TenantId}' without an API key")]
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

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Audit log: {Sink}; text retained (sealed) for verdicts: {Retained}")]
    public static partial void Audit(ILogger logger, string sink, string retained);
}
