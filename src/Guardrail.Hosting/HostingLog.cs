using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Guardrail.Hosting;

/// <summary>Log events of the hosting layer. Details here are our own status messages, never request text.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Call {Method} ended with {Status}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode status, string detail);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Call {Method} cancelled by the client")]
    public static partial void ClientCancelled(ILogger logger, string method);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "Handler for {Method} failed (trace {TraceId})")]
    public static partial void HandlerCrashed(ILogger logger, Exception exception, string method, string traceId);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Stopping: health is NOT_SERVING; serving calls for {DrainMs} ms more (Guardrail:Rpc:DrainMs), then closing the listener")]
    public static partial void Draining(ILogger logger, int drainMs);
}
