using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Guardrail.Hosting.Internal;

/// <summary>
/// Caps every gRPC call's deadline at <see cref="GrpcServerOptions.MaxCallDurationMs"/> by
/// rewriting grpc-timeout before Grpc.AspNetCore reads it, so the library's own deadline handling
/// enforces the client's deadline and the cap alike (a call without one gets the cap). A malformed
/// grpc-timeout is INVALID_ARGUMENT: Grpc.AspNetCore would ignore it and run the call unbounded.
/// </summary>
internal sealed class DeadlineCap(RequestDelegate next, GrpcServerOptions options)
{
    private const string Header = "grpc-timeout";
    private readonly TimeSpan _cap = TimeSpan.FromMilliseconds(options.MaxCallDurationMs);
    private readonly string _capHeader = $"{options.MaxCallDurationMs}m";

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!GrpcStatusResponse.IsGrpc(request))
        {
            return next(context);
        }

        if (request.Headers.TryGetValue(Header, out var values))
        {
            var value = values.ToString();
            if (!GrpcTimeout.TryParse(value, out var requested))
            {
                GrpcStatusResponse.Write(context.Response, StatusCode.InvalidArgument,
                    $"malformed grpc-timeout '{(value.Length <= 40 ? value : value[..40] + "...")}': 1 to 8 digits and a unit (H, M, S, m, u, n)");
                return Task.CompletedTask;
            }

            if (requested <= TimeSpan.Zero)
            {
                request.Headers[Header] = "1u"; // already past: Grpc.AspNetCore reads 0 as no deadline at all
                return next(context);
            }

            if (requested <= _cap)
            {
                return next(context);
            }
        }

        request.Headers[Header] = _capHeader;
        return next(context);
    }
}
