using Microsoft.Extensions.Logging;

namespace Guardrail.Detection.Remote;

internal static partial class WorkerPoolLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Detector worker {WorkerId} at {Address} joined ({Count} known)")]
    public static partial void WorkerJoined(ILogger logger, string workerId, string address, int count);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Detector worker {WorkerId} at {Address} left the membership ({Count} known)")]
    public static partial void WorkerLeft(ILogger logger, string workerId, string address, int count);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Circuit breaker opened for detector worker {WorkerId}: {Reason}")]
    public static partial void BreakerOpened(ILogger logger, string workerId, string reason);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Worker membership ({Source}) cannot be read; keeping the last known workers: {Reason}")]
    public static partial void MembershipUnreadable(ILogger logger, string source, string reason);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "Worker membership ({Source}) readable again")]
    public static partial void MembershipReadable(ILogger logger, string source);

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "No detector worker could score {Items} texts: {Reason}")]
    public static partial void NoWorker(ILogger logger, int items, string reason);
}
