using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Guardrail.Contracts.Client;
using Guardrail.Contracts.V1;
using Guardrail.State.Control;

namespace Guardrail.IntegrationTests;

/// <summary>A gateway's (or worker's) services through Grpc.Net.Client, under one API key (or
/// none), as a user's C# client would call them.</summary>
public sealed class KeyedClient : IDisposable
{
    private readonly GrpcChannel _channel;

    public KeyedClient(Uri address, string? key = null)
    {
        Key = key;
        _channel = GuardrailChannel.Create(address.ToString(), maxReceiveMessageBytes: 64 * 1024 * 1024);
        var invoker = _channel.WithApiKey(key);
        Screen = new Screen.ScreenClient(invoker);
        Admin = new Admin.AdminClient(invoker);
        Detector = new Detector.DetectorClient(invoker);
        Health = new Health.HealthClient(invoker);
        Diagnostics = new Diagnostics.DiagnosticsClient(invoker);
    }

    public string? Key { get; }

    public Screen.ScreenClient Screen { get; }

    public Admin.AdminClient Admin { get; }

    public Detector.DetectorClient Detector { get; }

    public Health.HealthClient Health { get; }

    public Diagnostics.DiagnosticsClient Diagnostics { get; }

    public Task<ScreenResponse> ScreenAsync(string text, string session = "", string model = "", Channel channel = Channel.UserPrompt)
        => Screen.ScreenAsync(new ScreenRequest { Text = text, SessionId = session, ModelId = model, Channel = channel }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync;

    /// <summary>The status the call fails with (OK when it succeeds).</summary>
    public async Task<(StatusCode Status, string Detail)> StatusOfAsync(Func<KeyedClient, Task> call)
    {
        try
        {
            await call(this);
            return (StatusCode.OK, string.Empty);
        }
        catch (RpcException e)
        {
            return (e.StatusCode, e.Status.Detail);
        }
    }

    public void Dispose() => _channel.Dispose();
}

/// <summary>An operator key made for a test, and the gateway setting that admits it.</summary>
public sealed record OperatorKey(string Key, string Setting)
{
    public static OperatorKey Create()
    {
        var key = ApiKeySecret.Generate();
        return new OperatorKey(key.ToString(), $"--Guardrail:Auth:OperatorKeys:0={key.OperatorEntry()}");
    }
}
