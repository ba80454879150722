namespace Guardrail.Rpc.Client;

/// <summary>Per-call settings: deadline, metadata, cancellation.</summary>
public readonly record struct CallOptions(
    TimeSpan? Timeout = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    CancellationToken CancellationToken = default);
