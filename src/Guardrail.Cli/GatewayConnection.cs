using Grpc.Health.V1;
using Grpc.Net.Client;
using Guardrail.Contracts.Client;
using Guardrail.Contracts.V1;

namespace Guardrail.Cli;

/// <summary>One gateway (or worker) as guardrailctl talks to it: one channel, the API key on every
/// call, a client per service.</summary>
public sealed class GatewayConnection : IDisposable
{
    private readonly GrpcChannel _channel;

    public GatewayConnection(string address, string? apiKey)
    {
        Address = address;
        _channel = GuardrailChannel.Create(address, maxReceiveMessageBytes: 64 * 1024 * 1024);
        var invoker = _channel.WithApiKey(apiKey);
        Screen = new Screen.ScreenClient(invoker);
        Admin = new Admin.AdminClient(invoker);
        Diagnostics = new Diagnostics.DiagnosticsClient(invoker);
        Health = new Health.HealthClient(invoker);
        Detector = new Detector.DetectorClient(invoker);
    }

    public string Address { get; }

    public Screen.ScreenClient Screen { get; }

    public Admin.AdminClient Admin { get; }

    public Diagnostics.DiagnosticsClient Diagnostics { get; }

    public Health.HealthClient Health { get; }

    public Detector.DetectorClient Detector { get; }

    /// <summary>A deadline this far from now, for a call's <c>deadline:</c> argument.</summary>
    public static DateTime In(TimeSpan timeout) => DateTime.UtcNow + timeout;

    public void Dispose() => _channel.Dispose();
}
