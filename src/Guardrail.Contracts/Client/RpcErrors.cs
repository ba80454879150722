using System.Globalization;
using Grpc.Core;

namespace Guardrail.Contracts.Client;

/// <summary>
/// The one convention this project adds to gRPC statuses: a retry hint. UNAVAILABLE and
/// RESOURCE_EXHAUSTED answers may carry grpc-retry-pushback-ms (the gRPC retry design's trailer)
/// saying when to try again. Status details go to the client: never prompt or document text.
/// </summary>
public static class RpcErrors
{
    public const string RetryPushbackHeader = "grpc-retry-pushback-ms";

    /// <summary>An exception that answers the call with this status (and the retry hint, if any).</summary>
    public static RpcException Status(StatusCode code, string detail, TimeSpan? retryAfter = null)
    {
        var trailers = new Metadata();
        if (retryAfter is { } pushback)
        {
            trailers.Add(RetryPushbackHeader, ((long)pushback.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        }

        return new RpcException(new Grpc.Core.Status(code, detail), trailers);
    }

    /// <summary>The server's retry hint, when it sent one.</summary>
    public static TimeSpan? RetryAfter(this RpcException error)
        => error.Trailers.GetValue(RetryPushbackHeader) is { } value && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(ms)
            : null;

    /// <summary>The status as the protocol names it: DEADLINE_EXCEEDED, not DeadlineExceeded.</summary>
    public static string Canonical(this StatusCode code)
        => code == StatusCode.OK ? "OK" : string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();
}
