using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Guardrail.Hosting.Internal;

/// <summary>
/// An HTTP/JSON request body larger than <see cref="GrpcServerOptions.MaxReceiveMessageBytes"/> is
/// 413 with a message: at once when Content-Length says so, else when the body grows past it
/// (Kestrel's per-request limit).
/// </summary>
internal sealed class JsonBodyLimit(RequestDelegate next, GrpcServerOptions options)
{
    public Task InvokeAsync(HttpContext context)
    {
        var limit = options.MaxReceiveMessageBytes;
        if (context.Request.ContentLength > limit)
        {
            return JsonError.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, StatusCode.ResourceExhausted,
                $"request body of {context.Request.ContentLength} bytes exceeds the limit of {limit} bytes (Guardrail:Rpc:MaxReceiveMessageBytes)");
        }

        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        return next(context);
    }
}
