using System.Net;
using System.Net.Sockets;

namespace Guardrail.Grains;

/// <summary>The gateway's Orleans silo (section "Guardrail:Cluster"). Embedded mode: one silo on
/// loopback, clustered with nobody (localhost clustering), grain state in memory.</summary>
public sealed class SiloOptions
{
    public const string Section = "Guardrail:Cluster";

    /// <summary>Loopback port for silo-to-silo messages. Default 0: any free port, so several
    /// embedded gateways run side by side on one machine.</summary>
    public int SiloPort { get; set; }

    public IEnumerable<string> Validate()
    {
        if (SiloPort is < 0 or > 65_535)
        {
            yield return $"{Section}:{nameof(SiloPort)} must be between 0 and 65535 (was {SiloPort}).";
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
