using Google.Protobuf;
using Guardrail.Contracts.V1;
using Guardrail.Rpc;
using Guardrail.Rpc.Client;
using Guardrail.Rpc.Methods;
using Guardrail.State.Control;

namespace Guardrail.IntegrationTests;

/// <summary>A gateway's Admin and Screen calls under one API key, for tests.</summary>
public sealed class KeyedClient(Uri address, string? key) : IDisposable
{
    private readonly GrpcClient _client = new(address, headers: key is null ? null : GrpcClient.Bearer(key));

    public string? Key => key;

    public Task<TResponse> CallAsync<TRequest, TResponse>(UnaryMethod<TRequest, TResponse> method, TRequest request)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
        => _client.CallAsync(method, request, new CallOptions(TimeSpan.FromSeconds(10)));

    public Task<ScreenResponse> ScreenAsync(string text, string session = "", string model = "", Channel channel = Channel.UserPrompt)
        => CallAsync(GuardrailMethods.Screen, new ScreenRequest { Text = text, SessionId = session, ModelId = model, Channel = channel });

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
            return (e.Status, e.Detail);
        }
    }

    public void Dispose() => _client.Dispose();
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
