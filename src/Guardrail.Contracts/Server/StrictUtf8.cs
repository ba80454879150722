using System.Text.Unicode;
using Google.Protobuf.Reflection;

namespace Guardrail.Contracts.Server;

/// <summary>
/// Finds the string field whose bytes are not valid UTF-8. Google.Protobuf (3.36) refuses such a
/// message while parsing, without saying which field; proto3 strings are UTF-8 and a client should
/// learn which of its fields broke that. Run only after a parse failed: walks the wire format once,
/// guided by the message descriptor (nested messages and map entries included).
/// </summary>
internal static class StrictUtf8
{
    private const int MaxDepth = 100; // protobuf's own default recursion limit

    /// <summary>The full name of the first string field holding invalid UTF-8, or null if none.
    /// Malformed wire data returns null: the parser that runs next reports it.</summary>
    public static string? FindInvalidField(ReadOnlySpan<byte> message, MessageDescriptor descriptor)
        => Walk(message, descriptor, 0);

    private static string? Walk(ReadOnlySpan<byte> data, MessageDescriptor descriptor, int depth)
    {
        if (depth > MaxDepth)
        {
            return null;
        }

        var position = 0;
        while (position < data.Length)
        {
            if (!TryReadVarint(data, ref position, out var tag))
            {
                return null;
            }

            var wireType = (int)(tag & 7);
            switch (wireType)
            {
                case 0:
                    if (!TryReadVarint(data, ref position, out _))
                    {
                        return null;
                    }

                    break;
                case 1:
                    position += 8;
                    break;
                case 5:
                    position += 4;
                    break;
                case 2:
                    if (!TryReadVarint(data, ref position, out var length) || length > (ulong)(data.Length - position))
                    {
                        return null;
                    }

                    var payload = data.Slice(position, (int)length);
                    position += (int)length;
                    var field = descriptor.FindFieldByNumber((int)(tag >> 3));
                    if (field is null)
                    {
                        break;
                    }

                    if (field.FieldType == FieldType.String && !Utf8.IsValid(payload))
                    {
                        return field.FullName;
                    }

                    if (field.FieldType == FieldType.Message)
                    {
                        var inner = Walk(payload, field.MessageType, depth + 1);
                        if (inner is not null)
                        {
                            return inner;
                        }
                    }

                    break;
                default:
                    return null; // groups (3, 4) and invalid wire types: left to the parser
            }
        }

        return null;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> data, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && position < data.Length; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }
}
