using Google.Protobuf;
using Guardrail.Contracts.V1;

namespace Guardrail.Rpc.Tests;

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

    [Theory]
    [InlineData(0.25)]
    [InlineData(1500)]
    [InlineData(90_000_000)]
    public void Formats_timeouts_that_parse_back_no_shorter(double milliseconds)
    {
        var timeout = TimeSpan.FromMilliseconds(milliseconds);
        var header = GrpcTimeout.Format(timeout);
        Assert.True(header.Length <= 9);
        Assert.True(GrpcTimeout.TryParse(header, out var parsed));
        Assert.True(parsed >= timeout);
    }

    [Theory]
    [InlineData("plain ascii")]
    [InlineData("100% sure")]
    [InlineData("ünïcødé ✓ and\nnewline")]
    public void Status_messages_round_trip_through_percent_encoding(string message)
    {
        var encoded = GrpcStatusMessage.Encode(message);
        Assert.All(encoded, c => Assert.InRange(c, ' ', '~'));
        Assert.Equal(message, GrpcStatusMessage.Decode(encoded));
    }

    [Fact]
    public void Malformed_percent_escapes_are_kept()
        => Assert.Equal("50%zz %", GrpcStatusMessage.Decode("50%zz %"));

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
