using Grpc.AspNetCore.Server;
using Grpc.Core;
using Guardrail.Contracts.Server;
using Microsoft.AspNetCore.Http;

namespace Guardrail.Hosting.Internal;

/// <summary>
/// Gives every call a deadline no later than <see cref="GrpcServerOptions.MaxCallDurationMs"/>.
/// A gRPC call's grpc-timeout is rewritten before Grpc.AspNetCore reads it, so the library's own
/// deadline handling enforces the client's deadline and the cap alike (a call without one gets the
/// cap). An HTTP/JSON call (JSON transcoding has no deadlines) gets its cancellation token cancelled
/// at the deadline, which <see cref="CallDeadline"/> reports to the handler. A malformed
/// grpc-timeout is INVALID_ARGUMENT: Grpc.AspNetCore would ignore it and run the call unbounded.
/// Runs after routing, for endpoints that are gRPC methods.
/// </summary>
internal sealed class DeadlineCap(RequestDelegate next, GrpcServerOptions options)
{
    private const string Header = "grpc-timeout";
    private readonly TimeSpan _cap = TimeSpan.FromMilliseconds(options.MaxCallDurationMs);
    private readonly string _capHeader = $"{options.MaxCallDurationMs}m";

    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is null)
        {
            return next(context);
        }

        var request = context.Request;
        var timeout = _cap;
        if (request.Headers.TryGetValue(Header, out var values))
        {
            var value = values.ToString();
            if (!GrpcTimeout.TryParse(value, out var requested))
            {
                var message = $"malformed grpc-timeout '{(value.Length <= 40 ? value : value[..40] + "...")}': 1 to 8 digits and a unit (H, M, S, m, u, n)";
                return GrpcStatusResponse.IsGrpc(request) ? Answered(() => GrpcStatusResponse.Write(context.Response, StatusCode.InvalidArgument, message))
                    : JsonError.WriteAsync(context, StatusCodes.Status400BadRequest, StatusCode.InvalidArgument, message);
            }

            timeout = requested < _cap ? requested : _cap;
        }

        if (!GrpcStatusResponse.IsGrpc(request))
        {
            return JsonCallDeadline.RunAsync(context, timeout, next);
        }

        if (timeout <= TimeSpan.Zero)
        {
            request.Headers[Header] = "1u"; // already past: Grpc.AspNetCore reads 0 as no deadline at all
        }
        else if (timeout < _cap)
        {
            return next(context); // the client's own, already within the cap
        }
        else
        {
            request.Headers[Header] = _capHeader;
        }

        return next(context);
    }

    private static Task Answered(Action write)
    {
        write();
        return Task.CompletedTask;
    }
}
