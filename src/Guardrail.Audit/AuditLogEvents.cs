using Microsoft.Extensions.Logging;

namespace Guardrail.Audit;

/// <summary>Audit log events: counts and sink names only.</summary>
internal static partial class AuditLogEvents
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Audit queue full ({Capacity} records): {Dropped} records dropped so far (Guardrail:Audit:WhenFull=Drop)")]
    public static partial void Dropped(ILogger logger, long dropped, int capacity);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Audit sink {Sink} failed ({Error}: {Message}); retrying, records wait in the queue")]
    public static partial void SinkFailed(ILogger logger, string sink, string error, string message);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Audit sink {Sink} writes again")]
    public static partial void SinkRecovered(ILogger logger, string sink);

    [LoggerMessage(EventId = 103, Level = LogLevel.Critical, Message = "{Count} audit records could not be written to {Sink} before shutdown and are lost")]
    public static partial void Lost(ILogger logger, int count, string sink);
}
