namespace Guardrail.Hosting;

/// <summary>Limits of a host's gRPC server (Grpc.AspNetCore on Kestrel), each an explicit
/// option. Bound from configuration section "Guardrail:Rpc".</summary>
public sealed class GrpcServerOptions
{
    public const string Section = "Guardrail:Rpc";

    /// <summary>Largest request message accepted, in bytes; larger ones get RESOURCE_EXHAUSTED.
    /// Default 4194304 (4 MiB, gRPC's usual default).</summary>
    public int MaxReceiveMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest response message sent, in bytes; a larger answer becomes RESOURCE_EXHAUSTED.
    /// Default 16777216 (16 MiB).</summary>
    public int MaxSendMessageBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Calls served at once, counted from the request headers (a call still sending its
    /// message counts); beyond this a call gets UNAVAILABLE at once, with grpc-retry-pushback-ms.
    /// Default 1024.</summary>
    public int MaxInFlightCalls { get; set; } = 1024;

    /// <summary>Calls in flight from one client IP address; beyond this its calls get
    /// RESOURCE_EXHAUSTED at once, with grpc-retry-pushback-ms, so one client (or 2,000 stalled
    /// streams of one) cannot take every slot of <see cref="MaxInFlightCalls"/>. Behind a proxy
    /// every caller has the proxy's address: raise it to MaxInFlightCalls there. Default 256.</summary>
    public int MaxInFlightCallsPerClient { get; set; } = 256;

    /// <summary>Concurrent HTTP/2 streams (calls) per connection, as SETTINGS_MAX_CONCURRENT_STREAMS
    /// tells the client; a client opens more connections beyond it. Default 100.</summary>
    public int MaxStreamsPerConnection { get; set; } = 100;

    /// <summary>Pushback suggested with UNAVAILABLE and RESOURCE_EXHAUSTED when overloaded, in
    /// milliseconds. Default 50.</summary>
    public int RetryPushbackMs { get; set; } = 50;

    /// <summary>On SIGTERM: health answers NOT_SERVING at once, and calls are still served for
    /// this long (load balancers move away meanwhile) before the listener closes; calls in flight
    /// then finish. Milliseconds. Default 3000.</summary>
    public int DrainMs { get; set; } = 3000;

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

        if (MaxInFlightCallsPerClient < 1)
        {
            yield return $"{Section}:{nameof(MaxInFlightCallsPerClient)} must be at least 1 (was {MaxInFlightCallsPerClient}).";
        }

        if (MaxStreamsPerConnection < 1)
        {
            yield return $"{Section}:{nameof(MaxStreamsPerConnection)} must be at least 1 (was {MaxStreamsPerConnection}).";
        }

        if (DrainMs is < 0 or > 600_000)
        {
            yield return $"{Section}:{nameof(DrainMs)} must be between 0 and 600000 (was {DrainMs}).";
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
