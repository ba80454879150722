namespace Guardrail.Rpc.Server;

/// <summary>Limits of the gRPC server. Bound from configuration section "Guardrail:Rpc".</summary>
public sealed class GrpcServerOptions
{
    public const string Section = "Guardrail:Rpc";

    /// <summary>Largest request message accepted, in bytes; larger ones get RESOURCE_EXHAUSTED.
    /// Default 4194304 (4 MiB, gRPC's usual default).</summary>
    public int MaxReceiveMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest response message sent, in bytes; a larger answer becomes RESOURCE_EXHAUSTED.
    /// Default 16777216 (16 MiB).</summary>
    public int MaxSendMessageBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Calls served at once; beyond this a call gets UNAVAILABLE at once, with
    /// grpc-retry-pushback-ms. Default 1024.</summary>
    public int MaxInFlightCalls { get; set; } = 1024;

    /// <summary>Pushback suggested with UNAVAILABLE when overloaded, in milliseconds. Default 50.</summary>
    public int RetryPushbackMs { get; set; } = 50;

    /// <summary>Longest a call may run, in milliseconds: the deadline of calls that send no
    /// grpc-timeout, and the cap on those that send a longer one. Default 30000.</summary>
    public int MaxCallDurationMs { get; set; } = 30_000;

    public IEnumerable<string> Validate()
    {
        if (MaxReceiveMessageBytes is < 1024 or > 256 * 1024 * 1024)
        {
            yield return $"{Section}:{nameof(MaxReceiveMessageBytes)} must be between 1024 and 268435456 (was {MaxReceiveMessageBytes}).";
        }

        if (MaxSendMessageBytes is < 1024 or > 256 * 1024 * 1024)
        {
            yield return $"{Section}:{nameof(MaxSendMessageBytes)} must be between 1024 and 268435456 (was {MaxSendMessageBytes}).";
        }

        if (MaxInFlightCalls < 1)
        {
            yield return $"{Section}:{nameof(MaxInFlightCalls)} must be at least 1 (was {MaxInFlightCalls}).";
        }

        if (RetryPushbackMs < 0)
        {
            yield return $"{Section}:{nameof(RetryPushbackMs)} must not be negative (was {RetryPushbackMs}).";
        }

        if (MaxCallDurationMs < 1)
        {
            yield return $"{Section}:{nameof(MaxCallDurationMs)} must be at least 1 (was {MaxCallDurationMs}).";
        }
    }
}
