namespace Guardrail.Rpc;

/// <summary>The gRPC status codes (grpc/grpc doc/statuscodes.md), with their wire values.</summary>
public enum StatusCode
{
    OK = 0,
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
}

public static class StatusCodeNames
{
    /// <summary>The canonical upper-case name, e.g. INVALID_ARGUMENT.</summary>
    public static string Canonical(this StatusCode status)
        => status == StatusCode.OK ? "OK" : string.Concat(status.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();
}
