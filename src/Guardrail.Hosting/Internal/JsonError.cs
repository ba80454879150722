using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Guardrail.Hosting.Internal;

/// <summary>An error answered to an HTTP/JSON caller before JSON transcoding runs, in the shape
/// transcoding answers its own: {"code": gRPC status, "message": ..., "details": []}.</summary>
internal static class JsonError
{
    public static Task WriteAsync(HttpContext context, int httpStatus, StatusCode code, string message)
    {
        CallStage.AnswerEarly(context);
        context.Response.StatusCode = httpStatus;
        return context.Response.WriteAsJsonAsync(new { code = (int)code, message, details = Array.Empty<object>() }, context.RequestAborted);
    }
}
