using System.Collections.Frozen;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Guardrail.Rpc.Server;

/// <summary>The unary methods a server serves, by :path. Frozen after start for lock-free lookups.</summary>
public sealed class GrpcMethodRouter
{
    private readonly Dictionary<string, IUnaryHandler> _building = new(StringComparer.Ordinal);
    private FrozenDictionary<string, IUnaryHandler>? _frozen;

    public GrpcMethodRouter MapUnary<TRequest, TResponse>(
        UnaryMethod<TRequest, TResponse> method,
        Func<TRequest, ServerCallContext, ValueTask<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        if (_frozen is not null)
        {
            throw new InvalidOperationException("Methods must be mapped before the server starts.");
        }

        var descriptor = method.RequestParser.ParseFrom(ReadOnlySpan<byte>.Empty).Descriptor;
        _building.Add(method.Path, new UnaryHandler<TRequest, TResponse>(method, descriptor, handler));
        return this;
    }

    internal bool TryGet(string path, out IUnaryHandler handler)
    {
        _frozen ??= _building.ToFrozenDictionary(StringComparer.Ordinal);
        return _frozen.TryGetValue(path, out handler!);
    }

    internal interface IUnaryHandler
    {
        MessageDescriptor RequestDescriptor { get; }

        IMessage Parse(ReadOnlySpan<byte> payload);

        ValueTask<IMessage> InvokeAsync(IMessage request, ServerCallContext context);
    }

    private sealed class UnaryHandler<TRequest, TResponse>(
        UnaryMethod<TRequest, TResponse> method,
        MessageDescriptor descriptor,
        Func<TRequest, ServerCallContext, ValueTask<TResponse>> handler) : IUnaryHandler
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        public MessageDescriptor RequestDescriptor => descriptor;

        public IMessage Parse(ReadOnlySpan<byte> payload) => method.RequestParser.ParseFrom(payload);

        public async ValueTask<IMessage> InvokeAsync(IMessage request, ServerCallContext context)
            => await handler((TRequest)request, context).ConfigureAwait(false);
    }
}
