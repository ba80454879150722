using Microsoft.Extensions.Logging;

namespace Guardrail.Detection.Serving;

/// <summary>Worker log events: ids, counts and reasons, never text.</summary>
public static partial class WorkerLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Detector worker {WorkerId} serving on {Address} (h2c), operations on {OpsAddress}")]
    public static partial void Listening(ILogger logger, string workerId, string address, string opsAddress);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Membership: {Membership}; advertised as {Address}")]
    public static partial void Membership(ILogger logger, string membership, string address);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "Membership heartbeat to {Directory} failing: {Reason}")]
    public static partial void HeartbeatFailing(ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "Membership heartbeat to {Directory} working again")]
    public static partial void MembershipRestored(ILogger logger, string directory);

    [LoggerMessage(EventId = 404, Level = LogLevel.Information, Message = "Model: {Note}")]
    public static partial void ModelNote(ILogger logger, string note);

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "Model {Detector} cannot run here: {Reason}")]
    public static partial void ModelUnavailable(ILogger logger, string detector, string reason);

    [LoggerMessage(EventId = 406, Level = LogLevel.Information, Message = "Model registry revision {Revision} applied: isolated here: {Isolated}")]
    public static partial void RegistryApplied(ILogger logger, long revision, string isolated);

    [LoggerMessage(EventId = 407, Level = LogLevel.Warning, Message = "Control plane: {Reason}")]
    public static partial void ControlPlane(ILogger logger, string reason);
}
