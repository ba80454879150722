using System.Buffers;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Guardrail.Contracts.Server;

/// <summary>
/// A request marshaller that parses with Google.Protobuf and turns a parse failure into
/// INVALID_ARGUMENT with what is wrong: the string field holding invalid UTF-8
/// (<see cref="StrictUtf8"/>, run only then), or the parser's own reason. Never the bytes.
/// </summary>
internal static class StrictMessageParser
{
    public static Marshaller<T> For<T>()
        where T : class
    {
        var descriptor = ((IMessage)Activator.CreateInstance<T>()).Descriptor;
        var parser = descriptor.Parser;
        return Marshallers.Create<T>(
            (message, context) =>
            {
                var typed = (IMessage)message;
                context.SetPayloadLength(typed.CalculateSize());
                typed.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => Parse<T>(parser, descriptor, context));
    }

    private static T Parse<T>(MessageParser parser, MessageDescriptor descriptor, DeserializationContext context)
        where T : class
    {
        var payload = context.PayloadAsReadOnlySequence();
        try
        {
            return (T)parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            var field = StrictUtf8.FindInvalidField(payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray(), descriptor);
            throw new RpcException(new Status(StatusCode.InvalidArgument, field is not null
                ? $"field {field} is not valid UTF-8"
                : $"request is not a valid {descriptor.FullName} message: {e.Message}"));
        }
    }
}
