namespace Guardrail.Rpc;

/// <summary>
/// A call that ended with a non-OK gRPC status. Thrown by handlers to answer a status, and by the
/// client when the server answered one. <see cref="Detail"/> goes on the wire as grpc-message, so it
/// must never contain prompt or document text.
/// </summary>
public sealed class RpcException : Exception
{
    public RpcException(StatusCode status, string detail, TimeSpan? retryAfter = null)
        : base($"{status}: {detail}")
    {
        Status = status;
        Detail = detail;
        RetryAfter = retryAfter;
    }

    public StatusCode Status { get; }

    public string Detail { get; }

    /// <summary>For UNAVAILABLE and RESOURCE_EXHAUSTED: when to try again (grpc-retry-pushback-ms).</summary>
    public TimeSpan? RetryAfter { get; }
}
