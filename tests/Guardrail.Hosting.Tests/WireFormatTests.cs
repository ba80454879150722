using Google.Protobuf;
using Guardrail.Contracts.Server;
using Guardrail.Contracts.V1;
using Guardrail.Hosting.Internal;

namespace Guardrail.Hosting.Tests;

public class WireFormatTests
{
    [Theory]
    [InlineData("100m", 100 * TimeSpan.TicksPerMillisecond)]
    [InlineData("1S", TimeSpan.TicksPerSecond)]
    [InlineData("2M", 2 * TimeSpan.TicksPerMinute)]
    [InlineData("1H", TimeSpan.TicksPerHour)]
    [InlineData("250u", 2500)]
    [InlineData("99999999n", 999999)]
    public void Parses_grpc_timeout(string header, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(header, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("m")]
    [InlineData("123456789m")] // nine digits
    [InlineData("-5m")]
    [InlineData("5x")]
    public void Rejects_malformed_grpc_timeout(string header) => Assert.False(GrpcTimeout.TryParse(header, out _));

    [Fact]
    public void Strict_utf8_finds_invalid_strings_in_nested_and_map_fields()
    {
        var valid = new ScreenRequest { Text = "héllo", Documents = { new Document { Id = "d", Text = "ok" } }, Metadata = { ["k"] = "v" } };
        Assert.Null(StrictUtf8.FindInvalidField(valid.ToByteArray(), ScreenRequest.Descriptor));

        var nested = Corrupt(new ScreenRequest { Text = "fine", Documents = { new Document { Id = "d", Text = "BAD" } } });
        Assert.Equal("guardrail.v1.Document.text", StrictUtf8.FindInvalidField(nested, ScreenRequest.Descriptor));

        var map = Corrupt(new ScreenRequest { Text = "fine", Metadata = { ["k"] = "BAD" } });
        Assert.Equal("guardrail.v1.ScreenRequest.MetadataEntry.value", StrictUtf8.FindInvalidField(map, ScreenRequest.Descriptor));
    }

    /// <summary>Serialises, then turns the bytes of "BAD" into an invalid UTF-8 sequence.</summary>
    private static byte[] Corrupt(IMessage message)
    {
        var bytes = message.ToByteArray();
        var at = bytes.AsSpan().IndexOf("BAD"u8);
        bytes[at] = 0xC3; // a lead byte ...
        bytes[at + 1] = 0x28; // ... followed by a non-continuation byte
        return bytes;
    }
}
