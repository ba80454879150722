using Guardrail.Audit.Reading;
using Guardrail.Audit.Records;
using Guardrail.Audit.Sinks;
using Guardrail.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;

namespace Guardrail.Audit.Tests;

public sealed class AuditLogTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 23, 59, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task Every_appended_record_is_in_the_files_after_dispose_in_order_per_segment()
    {
        var time = new ManualTime(Start);
        var log = new AuditLog(new JsonlFileSink(_folder.Path, 1 << 20, time), new AuditOptions(), NullLogger.Instance);
        var appended = new List<AuditRecord>();
        for (var i = 0; i < 2_000; i++)
        {
            var record = Record(i, tenant: i % 3 == 0 ? "beta" : "acme", environment: i % 5 == 0 ? "prod" : "local");
            appended.Add(record);
            await log.AppendAsync(record, CancellationToken.None);
        }

        await log.DisposeAsync();

        var problems = new List<AuditReadProblem>();
        var read = AuditFiles.Search(_folder.Path, new AuditQuery(), problems);
        Assert.Empty(problems);
        Assert.Equal(appended.Select(r => r.RequestId).Order(), read.Select(r => r.RequestId).Order());
        Assert.Equal(["acme", "beta"], Directory.GetDirectories(Path.Combine(_folder.Path, "local")).Select(Path.GetFileName).Order());
        foreach (var file in AuditFiles.Find(_folder.Path, new AuditQuery()))
        {
            var ids = AuditFiles.Read(file, problems, 0, out _).Select(r => int.Parse(r.RequestId[1..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(ids.Order(), ids); // appended order kept within a file
        }
    }

    [Fact]
    public async Task Files_rotate_by_size_and_at_the_utc_day_and_every_record_stays_readable()
    {
        var time = new ManualTime(Start);
        var log = new AuditLog(new JsonlFileSink(_folder.Path, 16 * 1024, time), new AuditOptions { MaxBatch = 16 }, NullLogger.Instance);
        for (var i = 0; i < 300; i++)
        {
            await log.AppendAsync(Record(i), CancellationToken.None);
            if (i == 150)
            {
                await WaitUntilAsync(() => log.QueueDepth == 0);
                time.Advance(TimeSpan.FromMinutes(2)); // past midnight UTC
            }
        }

        await log.DisposeAsync();

        var files = AuditFiles.Find(_folder.Path, new AuditQuery()).ToList();
        Assert.True(files.Count >= 3, $"expected rotation by size, got {files.Count} files");
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= 16 * 1024 + 2048, $"{f} is {new FileInfo(f).Length} bytes"));
        Assert.Contains(files, f => Path.GetFileName(f).StartsWith("audit-20261122-", StringComparison.Ordinal));
        var problems = new List<AuditReadProblem>();
        Assert.Equal(300, AuditFiles.Search(_folder.Path, new AuditQuery(), problems).Count);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task A_torn_last_line_is_reported_as_such_and_the_rest_reads()
    {
        var log = new AuditLog(new JsonlFileSink(_folder.Path, 1 << 20, TimeProvider.System), new AuditOptions(), NullLogger.Instance);
        for (var i = 0; i < 10; i++)
        {
            await log.AppendAsync(Record(i), CancellationToken.None);
        }

        await log.DisposeAsync();
        var file = Assert.Single(AuditFiles.Find(_folder.Path, new AuditQuery()));
        var whole = File.ReadAllBytes(file);
        File.WriteAllBytes(file, whole[..(whole.Length - 40)]); // what a crash mid-write can leave

        var problems = new List<AuditReadProblem>();
        Assert.Equal(9, AuditFiles.Read(file, problems, 0, out _).Count);
        Assert.True(Assert.Single(problems).TornTail);

        File.WriteAllBytes(file, [.. whole[..1], .. "garbage"u8, .. whole[1..]]); // damage in the middle is not a torn tail
        problems.Clear();
        AuditFiles.Read(file, problems, 0, out _);
        Assert.False(Assert.Single(problems).TornTail);
    }

    [Fact]
    public async Task A_full_queue_with_drop_policy_counts_every_drop_and_never_blocks()
    {
        var gate = new GatedSink(new JsonlFileSink(_folder.Path, 1 << 20, TimeProvider.System));
        var log = new AuditLog(gate, new AuditOptions { QueueCapacity = 10, WhenFull = AuditOverflow.Drop, MaxBatch = 1 }, NullLogger.Instance);
        for (var i = 0; i < 50; i++)
        {
            Assert.True(log.AppendAsync(Record(i), CancellationToken.None).IsCompletedSuccessfully);
        }

        Assert.InRange(log.Dropped, 39, 40); // 10 queued, perhaps 1 in the writer's hands
        gate.Open();
        await log.DisposeAsync();
        var written = AuditFiles.Search(_folder.Path, new AuditQuery(), []).Count;
        Assert.Equal(50, written + log.Dropped);
    }

    [Fact]
    public async Task A_full_queue_with_back_pressure_waits_for_room_until_the_deadline()
    {
        var gate = new GatedSink(new JsonlFileSink(_folder.Path, 1 << 20, TimeProvider.System));
        var log = new AuditLog(gate, new AuditOptions { QueueCapacity = 5, MaxBatch = 1 }, NullLogger.Instance);
        for (var i = 0; i < 6; i++)
        {
            await log.AppendAsync(Record(i), CancellationToken.None); // 5 queued + 1 held by the blocked writer
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await log.AppendAsync(Record(99), deadline.Token));

        var waiting = log.AppendAsync(Record(6), CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        gate.Open();
        await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await log.DisposeAsync();
        Assert.Equal(7, AuditFiles.Search(_folder.Path, new AuditQuery(), []).Count);
        Assert.Equal(0, log.Dropped);
    }

    [Fact]
    public async Task A_failing_sink_is_retried_without_losing_or_duplicating_records()
    {
        // The sink's folder is blocked by a plain file: creating the segment folder fails (a real IOException).
        var root = Path.Combine(_folder.Path, "audit");
        File.WriteAllText(root, "not a folder");
        var log = new AuditLog(new JsonlFileSink(root, 1 << 20, TimeProvider.System), new AuditOptions(), NullLogger.Instance);
        for (var i = 0; i < 20; i++)
        {
            await log.AppendAsync(Record(i), CancellationToken.None);
        }

        await WaitUntilAsync(() => log.SinkFailure is not null);
        Assert.Contains("audit sink failing", log.SinkFailure, StringComparison.Ordinal);
        File.Delete(root);
        await WaitUntilAsync(() => log.SinkFailure is null);
        await log.DisposeAsync();

        var problems = new List<AuditReadProblem>();
        var ids = AuditFiles.Search(root, new AuditQuery(), problems).Select(r => r.RequestId).ToList();
        Assert.Empty(problems);
        Assert.Equal(20, ids.Count);
        Assert.Equal(20, ids.Distinct().Count());
    }

    public void Dispose() => _folder.Dispose();

    internal static AuditRecord Record(int i, string tenant = "acme", string environment = "local") => new()
    {
        RequestId = $"r{i:D6}",
        Time = Start.AddMilliseconds(i),
        Environment = environment,
        Tenant = tenant,
        Session = $"s{i % 7}",
        Verdict = i % 4 == 0 ? "BLOCK" : "ALLOW",
        TextSha256 = TextDigest.Sha256Hex($"text {i}"),
        Reasons = ["padding so the records have some size: " + new string('x', 80)],
    };

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not reached in 15 s");
            await Task.Delay(10);
        }
    }

    /// <summary>The real file sink behind a gate the test opens: a sink that stalls (a slow disk).</summary>
    private sealed class GatedSink(IAuditSink inner) : IAuditSink
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _open.TrySetResult();

        public string Describe() => inner.Describe();

        public async Task WriteAsync(AuditSegment segment, IReadOnlyList<byte[]> lines, CancellationToken cancellationToken)
        {
            await _open.Task;
            await inner.WriteAsync(segment, lines, cancellationToken);
        }

        public Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
