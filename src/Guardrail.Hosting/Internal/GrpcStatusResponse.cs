using System.Globalization;
using Grpc.Core;
using Guardrail.Contracts.Client;
using Microsoft.AspNetCore.Http;

namespace Guardrail.Hosting.Internal;

/// <summary>
/// The gRPC answer a middleware gives before a call reaches Grpc.AspNetCore (admission, a
/// malformed grpc-timeout): a trailers-only response, the status in the headers. Messages here
/// are this project's own, in ASCII.
/// </summary>
internal static class GrpcStatusResponse
{
    public static bool IsGrpc(HttpRequest request)
        => request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
           && (type.Length == 16 || type[16] is '+' or ';');

    public static void Write(HttpResponse response, StatusCode code, string message, TimeSpan? retryAfter = null)
    {
        CallStage.AnswerEarly(response.HttpContext);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        Set(response.Headers, code, message, retryAfter);
    }

    /// <summary>Replaces the status of a trailers-only answer not yet sent.</summary>
    public static void Set(IHeaderDictionary headers, StatusCode code, string message, TimeSpan? retryAfter = null)
    {
        headers["grpc-status"] = ((int)code).ToString(CultureInfo.InvariantCulture);
        headers["grpc-message"] = Encode(message);
        if (retryAfter is { } pushback)
        {
            headers[RpcErrors.RetryPushbackHeader] = ((long)pushback.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>grpc-message is percent-encoded outside printable ASCII (and '%' itself).</summary>
    private static string Encode(string message)
        => message.All(c => c is >= ' ' and <= '~' and not '%') ? message : Uri.EscapeDataString(message);
}
