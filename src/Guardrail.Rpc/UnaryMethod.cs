using Google.Protobuf;

namespace Guardrail.Rpc;

/// <summary>
/// Describes one unary gRPC method: its path on the wire and how to parse each side. Grpc.Tools
/// generates messages only here (GrpcServices="None"), so the methods are declared in
/// <see cref="Methods"/> by hand and shared by server and client.
/// </summary>
public sealed class UnaryMethod<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public UnaryMethod(string serviceName, string name, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
    {
        ServiceName = serviceName;
        Name = name;
        Path = $"/{serviceName}/{name}";
        RequestParser = requestParser;
        ResponseParser = responseParser;
    }

    /// <summary>Fully qualified service name, e.g. "guardrail.v1.Screen".</summary>
    public string ServiceName { get; }

    public string Name { get; }

    /// <summary>The HTTP/2 :path, "/service/method".</summary>
    public string Path { get; }

    public MessageParser<TRequest> RequestParser { get; }

    public MessageParser<TResponse> ResponseParser { get; }
}
