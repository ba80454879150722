using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Guardrail.Contracts.Client;
using Guardrail.Contracts.V1;
using Guardrail.Tests.Shared;

namespace Guardrail.Hosting.Tests;

/// <summary>gRPC as the hosts serve it, on a real Kestrel server: what any client sends gets a
/// gRPC status (never a crash or a hang), a client's mistake is never INTERNAL, and the limits
/// are the configured ones.</summary>
public sealed class GrpcServerTests : IAsyncLifetime
{
    private const string EchoPath = "/guardrail.v1.Diagnostics/Echo";
    private TestServer _server = null!;

    public async Task InitializeAsync()
        => _server = await TestServer.StartAsync(new GrpcServerOptions { MaxReceiveMessageBytes = 64 * 1024, MaxSendMessageBytes = 32 * 1024, DrainMs = 0 });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static byte[] Frame(byte[] message, byte flag = 0, uint? declaredLength = null) => RawGrpcClient.Frame(message, flag, declaredLength);

    private static byte[] Echo(string text) => new EchoRequest { Text = text }.ToByteArray();

    private static DateTime In(double seconds) => DateTime.UtcNow.AddSeconds(seconds);

    /// <summary>After any bad call the server must still answer a good one.</summary>
    private async Task AssertStillServingAsync()
    {
        var response = await _server.Client.EchoAsync(new EchoRequest { Text = "still here" }, deadline: In(5));
        Assert.Equal("still here", response.Text);
    }

    [Fact]
    public async Task Echo_round_trips_unicode()
    {
        const string text = "héllo \U0001F600 مرحبا";
        var response = await _server.Client.EchoAsync(new EchoRequest { Text = text }, deadline: In(5));
        Assert.Equal(text, response.Text);
    }

    [Theory]
    [InlineData("/guardrail.v1.Diagnostics/Nope")]
    [InlineData("/guardrail.v1.Nope/Echo")]
    public async Task Unknown_methods_and_services_are_unimplemented(string path)
    {
        var result = await _server.SendRawAsync(path, Frame(Echo("x")));
        Assert.Equal(200, result.HttpStatus);
        Assert.Equal(StatusCode.Unimplemented, result.Status);
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
            "oversized" => (Frame(new byte[10], declaredLength: 10 * 1024 * 1024), StatusCode.ResourceExhausted, "exceeds the limit of 65536 bytes (Guardrail:Rpc:MaxReceiveMessageBytes)"),
            "truncated" => (Frame(message, declaredLength: 100), StatusCode.InvalidArgument, "malformed request: Incomplete message"),
            "header-only" => (new byte[] { 0, 0, 0 }, StatusCode.InvalidArgument, "malformed request: Incomplete message"),
            "empty" => (Array.Empty<byte>(), StatusCode.InvalidArgument, "malformed request: Incomplete message"),
            "two-messages" => ([.. Frame(message), .. Frame(message)], StatusCode.InvalidArgument, "malformed request: Additional data after the message"),
            "compressed-flag" => (Frame(message, flag: 1), StatusCode.InvalidArgument, "malformed request: Request did not include grpc-encoding"),
            "bad-flag" => (Frame(message, flag: 7), StatusCode.InvalidArgument, "malformed request: the gRPC message frame could not be read (a compressed-flag byte other than 0 or 1"),
            "garbage-protobuf" => (Frame([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]), StatusCode.InvalidArgument, "not a valid guardrail.v1.EchoRequest"),
            "invalid-utf8" => (Frame(invalidUtf8), StatusCode.InvalidArgument, "guardrail.v1.EchoRequest.text is not valid UTF-8"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var result = await _server.SendRawAsync(EchoPath, body);
        Assert.Equal(200, result.HttpStatus);
        Assert.Equal(status, result.Status);
        Assert.Contains(detail, result.Message);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Non_grpc_requests_get_http_errors()
    {
        Assert.Equal(415, (await _server.SendRawAsync(EchoPath, Frame(Echo("x")), contentType: "application/json")).HttpStatus);
        Assert.Equal(404, (await _server.SendRawAsync(EchoPath, [], method: "PUT")).HttpStatus); // no endpoint answers PUT
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Gzip_messages_are_served_and_unknown_encodings_are_unimplemented()
    {
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Echo("squeezed"));
        }

        var gzipped = await _server.SendRawAsync(EchoPath, Frame(packed.ToArray(), flag: 1), headers: new Dictionary<string, string> { ["grpc-encoding"] = "gzip" });
        Assert.Equal(StatusCode.OK, gzipped.Status);
        Assert.Equal("squeezed", EchoResponse.Parser.ParseFrom(gzipped.Body.AsSpan(5)).Text);
        var snappy = await _server.SendRawAsync(EchoPath, Frame(Echo("x"), flag: 1), headers: new Dictionary<string, string> { ["grpc-encoding"] = "snappy" });
        Assert.Equal(StatusCode.Unimplemented, snappy.Status);
        Assert.Contains("snappy", snappy.Message);
    }

    [Fact]
    public async Task A_malformed_timeout_header_is_invalid_argument()
    {
        var timeout = await _server.SendRawAsync(EchoPath, Frame(Echo("x")), headers: new Dictionary<string, string> { ["grpc-timeout"] = "soon" });
        Assert.Equal(StatusCode.InvalidArgument, timeout.Status);
        Assert.Contains("grpc-timeout 'soon'", timeout.Message);
        await AssertStillServingAsync();
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

    [Theory]
    [InlineData(null)]
    [InlineData("99999999S")] // longer than the cap
    public async Task Server_caps_every_deadline_at_MaxCallDurationMs(string? timeout)
    {
        await using var server = await TestServer.StartAsync(new GrpcServerOptions { MaxCallDurationMs = 200, DrainMs = 0 });
        var clock = Stopwatch.StartNew();
        var result = await server.SendRawAsync(EchoPath, Frame(new EchoRequest { Text = "x", DelayMs = 10_000 }.ToByteArray()),
            headers: timeout is null ? null : new Dictionary<string, string> { ["grpc-timeout"] = timeout });
        Assert.Equal(StatusCode.DeadlineExceeded, result.Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Calls_beyond_the_in_flight_limit_get_unavailable_with_pushback()
    {
        await using var server = await TestServer.StartAsync(new GrpcServerOptions { MaxInFlightCalls = 2, RetryPushbackMs = 75, DrainMs = 0 });
        var slow = Enumerable.Range(0, 2).Select(_ => server.Client.EchoAsync(new EchoRequest { Text = "slow", DelayMs = 3000 }, deadline: In(30)).ResponseAsync).ToList();
        var echo = (TestEchoService)server.Services.GetService(typeof(TestEchoService))!;
        await Poll.UntilAsync(() => echo.InFlight == 2, TimeSpan.FromSeconds(10), "two slow calls in flight");

        var refused = await Assert.ThrowsAsync<RpcException>(() => server.Client.EchoAsync(new EchoRequest { Text = "third" }, deadline: In(5)).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("Guardrail:Rpc:MaxInFlightCalls", refused.Status.Detail);
        Assert.Equal(TimeSpan.FromMilliseconds(75), refused.RetryAfter());
        Assert.All(await Task.WhenAll(slow), r => Assert.Equal("slow", r.Text));
        Assert.Equal("after", (await server.Client.EchoAsync(new EchoRequest { Text = "after" }, deadline: In(5))).Text);
    }

    [Fact]
    public async Task One_client_address_cannot_take_every_slot()
    {
        await using var server = await TestServer.StartAsync(new GrpcServerOptions { MaxInFlightCallsPerClient = 3, MaxInFlightCalls = 100, RetryPushbackMs = 40, DrainMs = 0 });
        var slow = Enumerable.Range(0, 3).Select(_ => server.Client.EchoAsync(new EchoRequest { Text = "slow", DelayMs = 3000 }, deadline: In(30)).ResponseAsync).ToList();
        var echo = (TestEchoService)server.Services.GetService(typeof(TestEchoService))!;
        await Poll.UntilAsync(() => echo.InFlight == 3, TimeSpan.FromSeconds(10), "three slow calls in flight");

        var refused = await Assert.ThrowsAsync<RpcException>(() => server.Client.EchoAsync(new EchoRequest { Text = "fourth" }, deadline: In(5)).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("Guardrail:Rpc:MaxInFlightCallsPerClient", refused.Status.Detail);
        Assert.Equal(TimeSpan.FromMilliseconds(40), refused.RetryAfter());

        using var other = LoopbackClient.From(IPAddress.Parse("127.0.0.2"), server.Address);
        var answer = await new Diagnostics.DiagnosticsClient(other).EchoAsync(new EchoRequest { Text = "another client" }, deadline: In(5));
        Assert.Equal("another client", answer.Text);
        Assert.All(await Task.WhenAll(slow), r => Assert.Equal("slow", r.Text));
    }

    [Fact]
    public async Task Handler_failures_are_internal_with_a_trace_id_and_no_details()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Client.EchoAsync(new EchoRequest { Text = "crash" }, deadline: In(5)).ResponseAsync);
        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Matches(@"^internal error \(trace \S+\)$", error.Status.Detail);
        Assert.DoesNotContain("secret internals", error.Status.Detail);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Handler_statuses_reach_the_client_with_their_message()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Client.EchoAsync(new EchoRequest { Text = "refuse:naïve 100% ✓" }, deadline: In(5)).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("naïve 100% ✓", error.Status.Detail);
    }

    [Fact]
    public async Task Responses_over_the_send_limit_are_resource_exhausted()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Client.EchoAsync(new EchoRequest { Text = new string('x', 40_000) }, deadline: In(5)).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Client_enforces_its_own_deadline()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Client.EchoAsync(new EchoRequest { Text = "x", DelayMs = 10_000 }, deadline: In(0.15)).ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public async Task Client_reports_an_unreachable_server_as_unavailable()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        using var channel = GuardrailChannel.Create($"127.0.0.1:{port}");
        var error = await Assert.ThrowsAsync<RpcException>(() => new Diagnostics.DiagnosticsClient(channel).EchoAsync(new EchoRequest(), deadline: In(5)).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }
}
