using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace Guardrail.Rpc;

/// <summary>
/// The gRPC length-prefixed message: one compressed-flag byte, a 4-byte big-endian length, then the
/// message bytes (grpc/grpc doc/PROTOCOL-HTTP2.md, "Length-Prefixed-Message").
/// </summary>
public static class GrpcFrame
{
    public const int HeaderSize = 5;

    /// <summary>Writes <paramref name="message"/> as one uncompressed frame.</summary>
    public static void Write(IBufferWriter<byte> writer, IMessage message, int size)
    {
        var span = writer.GetSpan(HeaderSize + size);
        span[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span.Slice(1, 4), (uint)size);
        message.WriteTo(span.Slice(HeaderSize, size));
        writer.Advance(HeaderSize + size);
    }

    /// <summary>The whole frame as a new array (client side, where the request is small).</summary>
    public static byte[] ToArray(IMessage message)
    {
        var size = message.CalculateSize();
        var bytes = new byte[HeaderSize + size];
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1, 4), (uint)size);
        message.WriteTo(bytes.AsSpan(HeaderSize));
        return bytes;
    }

    /// <summary>Reads the 5-byte header from the start of <paramref name="buffer"/>, which must hold it.</summary>
    public static (byte CompressedFlag, uint Length) ReadHeader(ReadOnlySequence<byte> buffer)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        return (header[0], BinaryPrimitives.ReadUInt32BigEndian(header[1..]));
    }
}
