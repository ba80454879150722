using Microsoft.Extensions.Logging;

namespace Guardrail.Rpc.Server;

/// <summary>Log events of the gRPC layer. Details here are our own status messages, never request text.</summary>
internal static partial class RpcLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Call {Method} ended with {Status}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode status, string detail);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Call {Method} cancelled by the client")]
    public static partial void ClientCancelled(ILogger logger, string method);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Call {Method} refused: {Limit} calls already in flight")]
    public static partial void Overloaded(ILogger logger, string method, int limit);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "Handler for {Method} failed (trace {TraceId})")]
    public static partial void HandlerCrashed(ILogger logger, Exception exception, string method, string traceId);
}
