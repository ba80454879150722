namespace Guardrail.Hosting;

/// <summary>Where traces and metrics go besides /metrics (section "Guardrail:Telemetry"). Spans and
/// metric labels carry ids, methods, statuses and counts, never prompt or document text.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Guardrail:Telemetry";

    /// <summary>OTLP collector to send traces and metrics to, e.g. "http://otel-collector:4317".
    /// Default: none, then the standard OTEL_EXPORTER_OTLP_ENDPOINT variable; with neither, no
    /// OTLP export (Prometheus on the ops port always).</summary>
    public string OtlpEndpoint { get; set; } = string.Empty;

    /// <summary>"grpc" (port 4317) or "http/protobuf" (port 4318). Default "grpc".</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>Share of traces kept, 0 to 1 (parent-based: a caller's sampled trace is always
    /// continued). Default 1.</summary>
    public double TraceSampleRatio { get; set; } = 1.0;

    /// <summary>The OTLP endpoint in effect: the setting, else OTEL_EXPORTER_OTLP_ENDPOINT, else null.</summary>
    public Uri? EffectiveOtlpEndpoint
        => OtlpEndpoint.Length > 0 ? new Uri(OtlpEndpoint)
            : Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } fromEnvironment ? new Uri(fromEnvironment)
            : null;

    public IEnumerable<string> Validate()
    {
        if (OtlpEndpoint.Length > 0 && !Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out _))
        {
            yield return $"{Section}:{nameof(OtlpEndpoint)} must be an absolute URL such as http://otel-collector:4317 (was '{OtlpEndpoint}').";
        }

        if (OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            yield return $"{Section}:{nameof(OtlpProtocol)} must be grpc or http/protobuf (was '{OtlpProtocol}').";
        }

        if (TraceSampleRatio is < 0 or > 1)
        {
            yield return $"{Section}:{nameof(TraceSampleRatio)} must be between 0 and 1 (was {TraceSampleRatio}).";
        }
    }
}
