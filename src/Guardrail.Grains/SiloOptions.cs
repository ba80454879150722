using System.Net;
using System.Net.Sockets;

namespace Guardrail.Grains;

/// <summary>The gateway's Orleans silo (section "Guardrail:Cluster"). With the memory store: one silo
/// on loopback, clustered with nobody, grain state only in its activations. With the Redis store
/// (Guardrail:State:Store=redis): every gateway's silo joins one cluster through Redis membership,
/// and grains write their state to Redis.</summary>
public sealed class SiloOptions
{
    public const string Section = "Guardrail:Cluster";

    /// <summary>Port for silo-to-silo messages. Default 0: any free port, so several gateways run side
    /// by side on one machine (the port is published in the membership table, so peers find it).</summary>
    public int SiloPort { get; set; }

    /// <summary>The address other silos reach this one at, e.g. the pod IP. Default 127.0.0.1, which
    /// clusters the gateways of one machine only.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Gateways with the same Redis and cluster id form one cluster; state keys are
    /// prefixed with it too. Default "guardrail".</summary>
    public string ClusterId { get; set; } = "guardrail";

    /// <summary>How long a grain may hold changed state before it writes it to Redis (write-behind:
    /// one write per grain per interval, however many turns). What a silo's crash can forget is at
    /// most this much of its grains' turns; session locks are written before their turn answers.
    /// Default 200 ms.</summary>
    public int WriteBehindMs { get; set; } = 200;

    /// <summary>Serve the Orleans Dashboard (Microsoft.Orleans.Dashboard) on the ops port under
    /// /dashboard: silos, grain types, activations, call rates. Off by default: like the rest of the
    /// ops port it has no authentication, and it can show grain state (tenant ids, policies, key
    /// hashes), so keep that port inside the cluster's network. Its live log stream stays off.</summary>
    public bool Dashboard { get; set; }

    /// <summary>Where <see cref="Dashboard"/> is served on the ops port.</summary>
    public const string DashboardPath = "/dashboard";

    public IEnumerable<string> Validate()
    {
        if (SiloPort is < 0 or > 65_535)
        {
            yield return $"{Section}:{nameof(SiloPort)} must be between 0 and 65535 (was {SiloPort}).";
        }

        if (!IPAddress.TryParse(AdvertisedAddress, out _))
        {
            yield return $"{Section}:{nameof(AdvertisedAddress)} must be an IP address (was '{AdvertisedAddress}').";
        }

        if (string.IsNullOrWhiteSpace(ClusterId) || ClusterId.Any(c => char.IsWhiteSpace(c) || c is '/' or '{' or '}'))
        {
            yield return $"{Section}:{nameof(ClusterId)} must be a non-empty name without spaces, '/', '{{' or '}}' (was '{ClusterId}').";
        }

        if (WriteBehindMs is < 1 or > 60_000)
        {
            yield return $"{Section}:{nameof(WriteBehindMs)} must be between 1 and 60000 (was {WriteBehindMs}).";
        }
    }

    /// <summary><see cref="SiloPort"/>, or a port the kernel had free a moment ago (Orleans listens on
    /// the port it is given; it does not take 0).</summary>
    internal int ResolveSiloPort()
    {
        if (SiloPort != 0)
        {
            return SiloPort;
        }

        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
