using System.Diagnostics;
using System.Globalization;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Guardrail.Hosting.Internal;

/// <summary>
/// Wraps every gRPC call: counts it (<see cref="RpcMetrics"/>) with its final status, and puts
/// Grpc.AspNetCore's answers to an unreadable request into this project's terms before they
/// leave. The library answers a malformed frame (truncated, two messages, a compressed flag
/// without grpc-encoding, a flag byte other than 0 or 1) with INTERNAL or UNKNOWN, but a
/// client's mistake is never INTERNAL here: a call that ended that way before reaching the
/// service is INVALID_ARGUMENT. The message-size refusal gains the limit and the option that sets it.
/// </summary>
internal sealed class GrpcCallObserver(RequestDelegate next, GrpcServerOptions options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!GrpcStatusResponse.IsGrpc(context.Request))
        {
            await next(context);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        RpcMetrics.Started();
        var status = StatusCode.Unknown;
        try
        {
            await next(context);
            if (!context.Response.HasStarted && !CallStage.AnsweredEarly(context) && !CallStage.ReachedHandler(context))
            {
                RestateRequestFailure(context.Response.Headers);
            }

            status = FinalStatus(context);
        }
        finally
        {
            var method = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is { } served ? served.Method.FullName : "unknown";
            RpcMetrics.Completed(method, status, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private void RestateRequestFailure(IHeaderDictionary headers)
    {
        if (!int.TryParse(headers["grpc-status"], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return;
        }

        var message = Uri.UnescapeDataString(headers["grpc-message"].ToString());
        switch ((StatusCode)code)
        {
            case StatusCode.Internal:
                GrpcStatusResponse.Set(headers, StatusCode.InvalidArgument, $"malformed request: {message}");
                break;
            case StatusCode.Unknown: // the library's "Exception was thrown by handler": it could not read the frame
                GrpcStatusResponse.Set(headers, StatusCode.InvalidArgument, "malformed request: the gRPC message frame could not be read (a compressed-flag byte other than 0 or 1, or a length over 2 GiB)");
                break;
            case StatusCode.ResourceExhausted:
                GrpcStatusResponse.Set(headers, StatusCode.ResourceExhausted,
                    $"request message exceeds the limit of {options.MaxReceiveMessageBytes} bytes (Guardrail:Rpc:MaxReceiveMessageBytes)");
                break;
        }
    }

    private static StatusCode FinalStatus(HttpContext context)
    {
        var value = context.Response.Headers["grpc-status"].ToString();
        if (value.Length == 0)
        {
            value = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-status"].ToString() ?? string.Empty;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? (StatusCode)code
            : context.RequestAborted.IsCancellationRequested ? StatusCode.Cancelled
            : StatusCode.Unknown;
    }
}
