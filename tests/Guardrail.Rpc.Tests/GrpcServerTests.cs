using System.Diagnostics;
using Google.Protobuf;
using Guardrail.Contracts.V1;
using Guardrail.Rpc.Client;
using Guardrail.Rpc.Methods;
using Guardrail.Rpc.Server;
using Guardrail.Tests.Shared;

namespace Guardrail.Rpc.Tests;

public sealed class GrpcServerTests : IAsyncLifetime
{
    private const string EchoPath = "/guardrail.v1.Diagnostics/Echo";
    private TestServer _server = null!;
    private GrpcClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(new GrpcServerOptions { MaxReceiveMessageBytes = 64 * 1024, MaxSendMessageBytes = 32 * 1024 });
        _client = new GrpcClient(_server.Address);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private static byte[] Frame(byte[] message, byte flag = 0, uint? declaredLength = null) => RawGrpcClient.Frame(message, flag, declaredLength);

    private static byte[] Echo(string text) => new EchoRequest { Text = text }.ToByteArray();

    /// <summary>After any bad call the server must still answer a good one.</summary>
    private async Task AssertStillServingAsync()
    {
        var response = await _client.CallAsync(GuardrailMethods.Echo, new EchoRequest { Text = "still here" }, new CallOptions(TimeSpan.FromSeconds(5)));
        Assert.Equal("still here", response.Text);
    }

    [Fact]
    public async Task Echo_round_trips_unicode()
    {
        const string text = "héllo \U0001F600 مرحبا";
        var response = await _client.CallAsync(GuardrailMethods.Echo, new EchoRequest { Text = text });
        Assert.Equal(text, response.Text);
    }

    [Fact]
    public async Task Unknown_method_is_unimplemented()
    {
        var result = await _server.SendRawAsync("/guardrail.v1.Screen/Nope", Frame(Echo("x")));
        Assert.Equal(200, result.HttpStatus);
        Assert.Equal(StatusCode.Unimplemented, result.Status);
        Assert.Contains("/guardrail.v1.Screen/Nope", result.Message);
        Assert.Empty(result.Body); // trailers-only
    }

    [Theory]
    [InlineData("oversized")]
    [InlineData("truncated")]
    [InlineData("header-only")]
    [InlineData("empty")]
    [InlineData("two-messages")]
    [InlineData("compressed-flag")]
    [InlineData("bad-flag")]
    [InlineData("garbage-protobuf")]
    [InlineData("invalid-utf8")]
    public async Task Malformed_requests_get_a_status_and_the_server_keeps_serving(string kind)
    {
        var message = Echo("hello");
        var invalidUtf8 = Echo("hello");
        invalidUtf8[^2] = 0xFF;
        var (body, status, detail) = kind switch
        {
            "oversized" => (Frame(new byte[10], declaredLength: 10 * 1024 * 1024), StatusCode.ResourceExhausted, "exceeds the limit of 65536 bytes"),
            "truncated" => (Frame(message, declaredLength: 100), StatusCode.InvalidArgument, "truncated frame"),
            "header-only" => (new byte[] { 0, 0, 0 }, StatusCode.InvalidArgument, "inside the 5-byte message header"),
            "empty" => (Array.Empty<byte>(), StatusCode.InvalidArgument, "no request message"),
            "two-messages" => ([.. Frame(message), .. Frame(message)], StatusCode.InvalidArgument, "exactly one message"),
            "compressed-flag" => (Frame(message, flag: 1), StatusCode.InvalidArgument, "compressed"),
            "bad-flag" => (Frame(message, flag: 7), StatusCode.InvalidArgument, "compressed-flag byte is 7"),
            "garbage-protobuf" => (Frame([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]), StatusCode.InvalidArgument, "not a valid guardrail.v1.EchoRequest"),
            "invalid-utf8" => (Frame(invalidUtf8), StatusCode.InvalidArgument, "guardrail.v1.EchoRequest.text is not valid UTF-8"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var result = await _server.SendRawAsync(EchoPath, body);
        Assert.Equal(status, result.Status);
        Assert.Contains(detail, result.Message);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Non_grpc_requests_get_http_errors()
    {
        Assert.Equal(415, (await _server.SendRawAsync(EchoPath, Frame(Echo("x")), contentType: "application/json")).HttpStatus);
        Assert.Equal(405, (await _server.SendRawAsync(EchoPath, [], method: "PUT")).HttpStatus);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Unsupported_encoding_and_bad_timeout_headers_are_refused()
    {
        var gzip = await _server.SendRawAsync(EchoPath, Frame(Echo("x")), headers: new Dictionary<string, string> { ["grpc-encoding"] = "gzip" });
        Assert.Equal(StatusCode.Unimplemented, gzip.Status);
        var timeout = await _server.SendRawAsync(EchoPath, Frame(Echo("x")), headers: new Dictionary<string, string> { ["grpc-timeout"] = "soon" });
        Assert.Equal(StatusCode.InvalidArgument, timeout.Status);
        Assert.Contains("grpc-timeout", timeout.Message);
    }

    [Fact]
    public async Task Server_enforces_the_clients_deadline()
    {
        var clock = Stopwatch.StartNew();
        var result = await _server.SendRawAsync(EchoPath, Frame(new EchoRequest { Text = "x", DelayMs = 10_000 }.ToByteArray()),
            headers: new Dictionary<string, string> { ["grpc-timeout"] = "200m" });
        Assert.Equal(StatusCode.DeadlineExceeded, result.Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Server_caps_calls_without_a_deadline()
    {
        await using var server = await TestServer.StartAsync(new GrpcServerOptions { MaxCallDurationMs = 200 });
        var result = await server.SendRawAsync(EchoPath, Frame(new EchoRequest { Text = "x", DelayMs = 10_000 }.ToByteArray()));
        Assert.Equal(StatusCode.DeadlineExceeded, result.Status);
    }

    [Fact]
    public async Task Calls_beyond_the_in_flight_limit_get_unavailable_with_pushback()
    {
        await using var server = await TestServer.StartAsync(new GrpcServerOptions { MaxInFlightCalls = 2, RetryPushbackMs = 75 });
        using var client = new GrpcClient(server.Address);
        var slow = Enumerable.Range(0, 2)
            .Select(_ => client.CallAsync(GuardrailMethods.Echo, new EchoRequest { Text = "slow", DelayMs = 3000 }))
            .ToList();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (server.Dispatcher.InFlightCalls < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() => client.CallAsync(GuardrailMethods.Echo, new EchoRequest { Text = "third" }));
        Assert.Equal(StatusCode.Unavailable, refused.Status);
        Assert.Equal(TimeSpan.FromMilliseconds(75), refused.RetryAfter);
        Assert.All(await Task.WhenAll(slow), r => Assert.Equal("slow", r.Text));
        Assert.Equal("after", (await client.CallAsync(GuardrailMethods.Echo, new EchoRequest { Text = "after" })).Text);
    }

    [Fact]
    public async Task Handler_failures_are_internal_without_leaking_details()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.CallAsync(TestServer.Crash, new EchoRequest()));
        Assert.Equal(StatusCode.Internal, error.Status);
        Assert.DoesNotContain("secret internals", error.Detail);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Handler_statuses_reach_the_client_with_their_message()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.CallAsync(TestServer.Refuse, new EchoRequest { Text = "naïve 100% ✓" }));
        Assert.Equal(StatusCode.FailedPrecondition, error.Status);
        Assert.Equal("naïve 100% ✓", error.Detail);
    }

    [Fact]
    public async Task Responses_over_the_send_limit_are_resource_exhausted()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.CallAsync(GuardrailMethods.Echo, new EchoRequest { Text = new string('x', 40_000) }));
        Assert.Equal(StatusCode.ResourceExhausted, error.Status);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Client_enforces_its_own_deadline()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.CallAsync(
            GuardrailMethods.Echo, new EchoRequest { Text = "x", DelayMs = 10_000 }, new CallOptions(TimeSpan.FromMilliseconds(150))));
        Assert.Equal(StatusCode.DeadlineExceeded, error.Status);
    }

    [Fact]
    public async Task Client_reports_an_unreachable_server_as_unavailable()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        using var client = new GrpcClient(new Uri($"http://127.0.0.1:{port}"));
        var error = await Assert.ThrowsAsync<RpcException>(() => client.CallAsync(GuardrailMethods.Echo, new EchoRequest()));
        Assert.Equal(StatusCode.Unavailable, error.Status);
    }
}
