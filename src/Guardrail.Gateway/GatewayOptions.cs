using System.Net;

namespace Guardrail.Gateway;

/// <summary>The gateway's own settings (section "Guardrail:Gateway").</summary>
public sealed class GatewayOptions
{
    public const string Section = "Guardrail:Gateway";

    /// <summary>Address and port to serve gRPC on, cleartext HTTP/2 (h2c). Port 0 picks a free port.
    /// Default "127.0.0.1:50051"; use "0.0.0.0:50051" in a container.</summary>
    public string Listen { get; set; } = "127.0.0.1:50051";

    /// <summary>Address and port of the operations endpoints, plain HTTP/1.1: /metrics (Prometheus
    /// text), /healthz, /readyz. Port 0 picks a free port. Default "127.0.0.1:9464"; use
    /// "0.0.0.0:9464" in a container so the kubelet and Prometheus reach it.</summary>
    public string OpsListen { get; set; } = "127.0.0.1:9464";

    /// <summary>Address and port of HTTP/JSON (plain HTTP/1.1): Screen and Admin through gRPC JSON
    /// transcoding (POST /v1/screen, ...), the OpenAPI document at /openapi/v1.json and its UI at
    /// /docs. Port 0 picks a free port; empty turns it off. Default "127.0.0.1:8080".</summary>
    public string HttpListen { get; set; } = "127.0.0.1:8080";

    /// <summary>Longest text, and longest document text, in characters (UTF-16 units); longer gets
    /// RESOURCE_EXHAUSTED. Default 1000000.</summary>
    public int MaxTextChars { get; set; } = 1_000_000;

    /// <summary>Documents per request; more gets RESOURCE_EXHAUSTED. Default 100.</summary>
    public int MaxDocuments { get; set; } = 100;

    /// <summary>Metadata entries and canary tokens per request, each; more gets RESOURCE_EXHAUSTED. Default 64.</summary>
    public int MaxListEntries { get; set; } = 64;

    /// <summary>Longest session id, model id or document id, in characters. Default 256.</summary>
    public int MaxIdChars { get; set; } = 256;

    /// <summary>Findings listed in one response; the rest are counted in findings_omitted (the
    /// verdict and redaction still use them all). Default 1000.</summary>
    public int MaxFindings { get; set; } = 1000;

    /// <summary>Placeholders one session may hold under reversible anonymisation; PII past them is
    /// redacted without one ([REDACTED:RULE]). Default 1000.</summary>
    public int MaxPlaceholdersPerSession { get; set; } = 1000;

    /// <summary>Serve guardrail.v1.Diagnostics/Echo, the baseline `guardrailctl bench` compares
    /// Screen with. Default true.</summary>
    public bool EnableDiagnostics { get; set; } = true;

    public IEnumerable<string> Validate()
    {
        if (!IPEndPoint.TryParse(Listen, out var endpoint) || endpoint.Port is < 0 or > 65535)
        {
            yield return $"{Section}:{nameof(Listen)} must be IP:port, e.g. 127.0.0.1:50051 (was '{Listen}').";
        }

        if (!IPEndPoint.TryParse(OpsListen, out var ops) || ops.Port is < 0 or > 65535)
        {
            yield return $"{Section}:{nameof(OpsListen)} must be IP:port, e.g. 127.0.0.1:9464 (was '{OpsListen}').";
        }
        else if (endpoint is not null && ops.Port != 0 && ops.Port == endpoint.Port)
        {
            yield return $"{Section}:{nameof(OpsListen)} must use another port than {nameof(Listen)} ({ops.Port}).";
        }

        if (HttpListen.Length > 0 && (!IPEndPoint.TryParse(HttpListen, out var http) || http.Port is < 0 or > 65535))
        {
            yield return $"{Section}:{nameof(HttpListen)} must be IP:port, e.g. 127.0.0.1:8080, or empty for none (was '{HttpListen}').";
        }

        if (MaxTextChars < 1)
        {
            yield return $"{Section}:{nameof(MaxTextChars)} must be at least 1 (was {MaxTextChars}).";
        }

        if (MaxDocuments < 0)
        {
            yield return $"{Section}:{nameof(MaxDocuments)} must not be negative (was {MaxDocuments}).";
        }

        if (MaxListEntries < 0)
        {
            yield return $"{Section}:{nameof(MaxListEntries)} must not be negative (was {MaxListEntries}).";
        }

        if (MaxPlaceholdersPerSession is < 1 or > 100_000)
        {
            yield return $"{Section}:{nameof(MaxPlaceholdersPerSession)} must be between 1 and 100000 (was {MaxPlaceholdersPerSession}).";
        }

        if (MaxFindings < 0)
        {
            yield return $"{Section}:{nameof(MaxFindings)} must not be negative (was {MaxFindings}).";
        }

        if (MaxIdChars < 1)
        {
            yield return $"{Section}:{nameof(MaxIdChars)} must be at least 1 (was {MaxIdChars}).";
        }
    }
}
