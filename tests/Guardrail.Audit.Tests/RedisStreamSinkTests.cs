using Guardrail.Audit.Reading;
using Guardrail.Audit.Sinks;
using Guardrail.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Guardrail.Audit.Tests;

/// <summary>The Redis Stream sink against a real redis-server.</summary>
public sealed class RedisStreamSinkTests : IAsyncLifetime
{
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task Records_land_in_one_stream_per_tenant_listed_for_consumers_and_read_back_whole()
    {
        var log = new AuditLog(new RedisStreamSink(_redis.Endpoint, 1_000_000), new AuditOptions { Sink = "redis" }, NullLogger.Instance);
        for (var i = 0; i < 500; i++)
        {
            await log.AppendAsync(AuditLogTests.Record(i, tenant: i % 2 == 0 ? "acme" : "beta"), CancellationToken.None);
        }

        await log.DisposeAsync();

        Assert.Equal("250", (await _redis.CliAsync("XLEN", "gr:{acme}:audit:local")).Trim());
        Assert.Equal(["gr:{acme}:audit:local", "gr:{beta}:audit:local"], (await _redis.CliAsync("SMEMBERS", "gr:audit:local:streams")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        // Consumer-group friendly: a group reads the entries with their one "record" field.
        Assert.Contains("OK", await _redis.CliAsync("XGROUP", "CREATE", "gr:{beta}:audit:local", "siem", "0"), StringComparison.Ordinal);
        Assert.Contains("\"request_id\":\"r000001\"", await _redis.CliAsync("XREADGROUP", "GROUP", "siem", "c1", "COUNT", "1", "STREAMS", "gr:{beta}:audit:local", ">"), StringComparison.Ordinal);

        using var connection = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint);
        var problems = new List<AuditReadProblem>();
        var all = await AuditStreams.SearchAsync(connection.GetDatabase(), new AuditQuery(Environment: "local"), problems);
        Assert.Empty(problems);
        Assert.Equal(500, all.Count);
        Assert.Equal(125, (await AuditStreams.SearchAsync(connection.GetDatabase(), new AuditQuery(Environment: "local", Tenant: "acme", Verdict: "block"), problems)).Count);
    }

    [Fact]
    public async Task Streams_are_trimmed_to_about_the_configured_length()
    {
        var log = new AuditLog(new RedisStreamSink(_redis.Endpoint, 100), new AuditOptions { Sink = "redis" }, NullLogger.Instance);
        for (var i = 0; i < 3_000; i++)
        {
            await log.AppendAsync(AuditLogTests.Record(i), CancellationToken.None);
        }

        await log.DisposeAsync();
        var length = int.Parse((await _redis.CliAsync("XLEN", "gr:{acme}:audit:local")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(length, 100, 400); // MAXLEN ~ trims whole radix-tree nodes (100 entries each by default)
    }

    [Fact]
    public async Task While_redis_is_down_records_wait_and_arrive_after_it_returns()
    {
        var log = new AuditLog(new RedisStreamSink(_redis.Endpoint, 1_000_000), new AuditOptions { Sink = "redis" }, NullLogger.Instance);
        await log.AppendAsync(AuditLogTests.Record(0), CancellationToken.None);
        _redis.Kill();
        for (var i = 1; i < 50; i++)
        {
            await log.AppendAsync(AuditLogTests.Record(i), CancellationToken.None);
        }

        var until = DateTime.UtcNow.AddSeconds(20);
        while (log.SinkFailure is null && DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }

        Assert.NotNull(log.SinkFailure);
        await _redis.RestartAsync(); // no persistence in the test server: the stream starts empty
        await log.DisposeAsync();
        using var connection = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint);
        var ids = (await AuditStreams.SearchAsync(connection.GetDatabase(), new AuditQuery(Environment: "local"), [])).Select(r => r.RequestId).ToHashSet();
        // Record 0 may have been written before the kill (and lost with this unpersisted server);
        // every record appended while Redis was down arrives.
        Assert.Superset(Enumerable.Range(1, 49).Select(i => $"r{i:D6}").ToHashSet(), ids);
    }
}
