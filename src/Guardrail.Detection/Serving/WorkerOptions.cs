using System.Net;

namespace Guardrail.Detection.Serving;

/// <summary>A detector worker's own settings (section "Guardrail:Worker").</summary>
public sealed class WorkerOptions
{
    public const string Section = "Guardrail:Worker";

    /// <summary>Where to serve guardrail.v1.Detector (h2c). Port 0 picks one. Default "127.0.0.1:50061".</summary>
    public string Listen { get; set; } = "127.0.0.1:50061";

    /// <summary>/metrics, /healthz, /readyz (HTTP/1.1). Default "127.0.0.1:9465".</summary>
    public string OpsListen { get; set; } = "127.0.0.1:9465";

    /// <summary>This worker's id in the membership. Default: host name, process id and a random suffix.</summary>
    public string Id { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>The address gateways call, host:port. Default: the bound Listen address; required
    /// when Listen is 0.0.0.0 (in Kubernetes: the pod IP, from the downward API).</summary>
    public string AdvertiseAddress { get; set; } = string.Empty;

    /// <summary>"none": do not register (gateways use static addresses); "redis": register in
    /// <see cref="Redis"/> with a heartbeat. Default "none".</summary>
    public string Membership { get; set; } = "none";

    /// <summary>Redis for the membership (StackExchange.Redis syntax). Default "127.0.0.1:6379".</summary>
    public string Redis { get; set; } = "127.0.0.1:6379";

    /// <summary>How often the worker renews its membership, in milliseconds. Default 500.</summary>
    public int HeartbeatMs { get; set; } = 500;

    /// <summary>How long the membership keeps the worker without a heartbeat, in milliseconds: a
    /// killed worker drops out after at most this. Default 1500.</summary>
    public int TtlMs { get; set; } = 1500;

    /// <summary>Texts per Detect call, at most; more gets RESOURCE_EXHAUSTED. Default 1024.</summary>
    public int MaxTextsPerCall { get; set; } = 1024;

    /// <summary>Longest text in characters; longer gets RESOURCE_EXHAUSTED. Default 1000000.</summary>
    public int MaxTextChars { get; set; } = 1_000_000;

    public IEnumerable<string> Validate()
    {
        if (!IPEndPoint.TryParse(Listen, out var listen))
        {
            yield return $"{Section}:{nameof(Listen)} must be IP:port, e.g. 127.0.0.1:50061 (was '{Listen}').";
        }
        else if (AdvertiseAddress.Length == 0 && (listen.Address.Equals(IPAddress.Any) || listen.Address.Equals(IPAddress.IPv6Any)) && Membership != "none")
        {
            yield return $"{Section}:{nameof(AdvertiseAddress)} must be set when {nameof(Listen)} is {Listen}: gateways need an address they can reach (e.g. the pod IP and port).";
        }

        if (!IPEndPoint.TryParse(OpsListen, out _))
        {
            yield return $"{Section}:{nameof(OpsListen)} must be IP:port, e.g. 127.0.0.1:9465 (was '{OpsListen}').";
        }

        if (Membership is not ("none" or "redis"))
        {
            yield return $"{Section}:{nameof(Membership)} must be none or redis (was '{Membership}').";
        }

        if (Id.Length is 0 or > 200 || Id.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            yield return $"{Section}:{nameof(Id)} must be 1 to 200 characters without spaces (was '{Id}').";
        }

        if (HeartbeatMs < 10 || TtlMs <= HeartbeatMs)
        {
            yield return $"{Section}:{nameof(TtlMs)} ({TtlMs}) must be longer than {nameof(HeartbeatMs)} ({HeartbeatMs}), which must be at least 10.";
        }

        if (MaxTextsPerCall < 1 || MaxTextChars < 1)
        {
            yield return $"{Section}:{nameof(MaxTextsPerCall)} and {nameof(MaxTextChars)} must be at least 1.";
        }
    }
}
