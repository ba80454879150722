using System.Diagnostics;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Guardrail.Contracts.Server;
using Microsoft.Extensions.Logging;

namespace Guardrail.Hosting.Internal;

/// <summary>
/// Every call's handler runs inside this: statuses the handler throws pass through (logged at
/// Debug, without text); a call the client abandoned is CANCELLED; anything else is a bug and
/// answers INTERNAL with a trace id, the exception going to the log, never to the client.
/// </summary>
internal sealed class ServerErrorInterceptor(ILogger<ServerErrorInterceptor> logger) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        CallStage.ReachHandler(context.GetHttpContext());
        Task<TResponse> call;
        try
        {
            call = continuation(request, context);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw status;
        }

        return call.IsCompletedSuccessfully ? call : AwaitAsync(call, context);
    }

    private async Task<TResponse> AwaitAsync<TResponse>(Task<TResponse> call, ServerCallContext context)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw status;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        CallStage.ReachHandler(context.GetHttpContext());
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw status;
        }
    }

    /// <summary>The status to answer instead of <paramref name="e"/>, or null to let it through.</summary>
    private RpcException? Translate(Exception e, ServerCallContext context)
    {
        switch (e)
        {
            case RpcException status:
                HostingLog.CallFailed(logger, context.Method, status.StatusCode, status.Status.Detail);
                return null;
            case OperationCanceledException when JsonCallDeadline.Passed(context.GetHttpContext()):
                return new RpcException(new Status(StatusCode.DeadlineExceeded, $"deadline exceeded ({context.DeadlineUtc():O})"));
            case OperationCanceledException when context.GetHttpContext().RequestAborted.IsCancellationRequested:
                HostingLog.ClientCancelled(logger, context.Method);
                return new RpcException(new Status(StatusCode.Cancelled, "call cancelled by the client"));
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Status(StatusCode.DeadlineExceeded, $"deadline exceeded ({context.Deadline:O})"));
            default:
                var trace = Activity.Current?.TraceId.ToString() ?? context.GetHttpContext().TraceIdentifier;
                HostingLog.HandlerCrashed(logger, e, context.Method, trace);
                return new RpcException(new Status(StatusCode.Internal, $"internal error (trace {trace})"));
        }
    }
}
