namespace Guardrail.Detection.Remote;

/// <summary>Where the gateway's ML detectors run (section "Guardrail:Workers").</summary>
public sealed class WorkerPoolOptions
{
    public const string Section = "Guardrail:Workers";

    /// <summary>"none": the ML detectors run in the gateway's own process (embedded mode);
    /// "static": on the workers at <see cref="Addresses"/>; "redis": on the workers registered in
    /// Redis (<see cref="Redis"/>), joining and leaving by themselves. Default "none".</summary>
    public string Discovery { get; set; } = "none";

    /// <summary>Comma-separated worker addresses (host:port) for Discovery=static. Default empty.</summary>
    public string Addresses { get; set; } = string.Empty;

    /// <summary>Redis holding worker membership for Discovery=redis (StackExchange.Redis syntax);
    /// empty uses Guardrail:State:Redis. Default empty.</summary>
    public string Redis { get; set; } = string.Empty;

    /// <summary>How often the membership is read, in milliseconds. With a worker TTL of 1500 this
    /// bounds how soon a join or a silent death is seen to under 2 s. Default 500.</summary>
    public int RefreshMs { get; set; } = 500;

    /// <summary>Most texts in one Detect call: concurrent Screen calls' texts share a call up to
    /// this. Default 128.</summary>
    public int MicroBatchMaxItems { get; set; } = 128;

    /// <summary>How long the first text of a Detect call may wait for others, in microseconds; 0
    /// sends at once with whatever is waiting. Default 200.</summary>
    public int MicroBatchWaitMicroseconds { get; set; } = 200;

    /// <summary>Longest one Detect call may take, in milliseconds, when the Screen deadline is
    /// longer: a hung worker costs this, then the call is retried elsewhere. Default 1000.</summary>
    public int DetectTimeoutMs { get; set; } = 1000;

    /// <summary>Workers one Detect call is tried on (UNAVAILABLE, RESOURCE_EXHAUSTED, a broken
    /// connection or a timeout move it to the next). Default 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Failures in a row that open a worker's circuit breaker. Default 3.</summary>
    public int BreakerFailures { get; set; } = 3;

    /// <summary>How long an open breaker keeps calls away before one probe call, in milliseconds. Default 1000.</summary>
    public int BreakerOpenMs { get; set; } = 1000;

    public bool Remote => Discovery != "none";

    public IEnumerable<string> Validate()
    {
        if (Discovery is not ("none" or "static" or "redis"))
        {
            yield return $"{Section}:{nameof(Discovery)} must be none, static or redis (was '{Discovery}').";
        }

        if (Discovery == "static" && AddressList.Count == 0)
        {
            yield return $"{Section}:{nameof(Addresses)} must list worker addresses (host:port, comma-separated) when {nameof(Discovery)} is static.";
        }

        foreach (var (name, value, min) in new[] { (nameof(RefreshMs), RefreshMs, 10), (nameof(MicroBatchMaxItems), MicroBatchMaxItems, 1), (nameof(DetectTimeoutMs), DetectTimeoutMs, 1), (nameof(MaxAttempts), MaxAttempts, 1), (nameof(BreakerFailures), BreakerFailures, 1), (nameof(BreakerOpenMs), BreakerOpenMs, 1), (nameof(MicroBatchWaitMicroseconds), MicroBatchWaitMicroseconds, 0) })
        {
            if (value < min)
            {
                yield return $"{Section}:{name} must be at least {min} (was {value}).";
            }
        }
    }

    public IReadOnlyList<string> AddressList => Addresses.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
