using System.Diagnostics;
using System.Threading.Channels;
using Guardrail.Audit.Records;
using Guardrail.Audit.Sinks;
using Microsoft.Extensions.Logging;

namespace Guardrail.Audit;

/// <summary>
/// The queue between Screen and the sink. <see cref="AppendAsync"/> only enqueues (bounded; when
/// full, <see cref="AuditOptions.WhenFull"/> decides: wait, or drop with a counter and a warning).
/// One writer task serialises records, writes them in batches per segment, fsyncs at most once
/// per flush interval, and retries a failing sink (with back-off) without losing the batch.
/// Disposing drains the queue and flushes: a graceful stop keeps every accepted record.
/// </summary>
public sealed class AuditLog : IAsyncDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);
    private readonly Channel<AuditRecord> _queue;
    private readonly IAuditSink _sink;
    private readonly AuditOptions _options;
    private readonly ILogger _logger;
    private readonly Task _writer;
    private readonly TimeSpan _flushInterval;
    private long _dropped;
    private int _disposed;
    private volatile string? _sinkFailure;

    public AuditLog(IAuditSink sink, AuditOptions options, ILogger logger)
    {
        _sink = sink;
        _options = options;
        _logger = logger;
        _flushInterval = TimeSpan.FromMilliseconds(options.FlushIntervalMs);
        _queue = Channel.CreateBounded<AuditRecord>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        AuditMetrics.Track(this);
        _writer = Task.Run(WriteLoopAsync);
    }

    public int QueueDepth => _queue.Reader.Count;

    /// <summary>Records dropped so far because the queue was full (WhenFull=Drop).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Null while the sink takes writes; else why not (for /readyz).</summary>
    public string? SinkFailure => _sinkFailure;

    public string Describe() => _sink.Describe();

    /// <summary>Queues a record. Returns at once unless the queue is full and the policy is
    /// back-pressure; then it waits for room until <paramref name="cancellationToken"/> (the call's deadline).</summary>
    public ValueTask AppendAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        if (_queue.Writer.TryWrite(record))
        {
            return ValueTask.CompletedTask;
        }

        if (_options.WhenFull == AuditOverflow.Drop)
        {
            AuditMetrics.Dropped.Add(1);
            if (Interlocked.Increment(ref _dropped) is var dropped && (dropped & (dropped - 1)) == 0)
            {
                AuditLogEvents.Dropped(_logger, dropped, _options.QueueCapacity); // 1st, 2nd, 4th, 8th...: loud, not flooding
            }

            return ValueTask.CompletedTask;
        }

        return _queue.Writer.WriteAsync(record, cancellationToken);
    }

    /// <summary>Stops taking records, writes and flushes every queued one.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _sink.DisposeAsync().ConfigureAwait(false);
        AuditMetrics.Untrack(this);
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<AuditRecord>(_options.MaxBatch);
        var lastFlush = Stopwatch.GetTimestamp();
        var unflushed = false;
        while (true)
        {
            var waitFor = unflushed ? _flushInterval - Stopwatch.GetElapsedTime(lastFlush) : Timeout.InfiniteTimeSpan;
            var more = await WaitAsync(reader, waitFor).ConfigureAwait(false);
            batch.Clear();
            while (batch.Count < _options.MaxBatch && reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            if (batch.Count > 0)
            {
                await WriteWithRetryAsync(batch, draining: more is false).ConfigureAwait(false);
                unflushed = true;
            }

            if (unflushed && (more is not true || Stopwatch.GetElapsedTime(lastFlush) >= _flushInterval))
            {
                await FlushAsync().ConfigureAwait(false);
                lastFlush = Stopwatch.GetTimestamp();
                unflushed = false;
            }

            if (more is false && reader.Count == 0)
            {
                return;
            }
        }
    }

    /// <summary>true: records waiting; null: the flush interval passed first; false: completed.</summary>
    private static async Task<bool?> WaitAsync(ChannelReader<AuditRecord> reader, TimeSpan timeout)
    {
        if (reader.Count > 0)
        {
            return true;
        }

        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return await reader.WaitToReadAsync().ConfigureAwait(false);
        }

        if (timeout <= TimeSpan.Zero)
        {
            return null;
        }

        using var timer = new CancellationTokenSource(timeout);
        try
        {
            return await reader.WaitToReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private async Task WriteWithRetryAsync(List<AuditRecord> batch, bool draining)
    {
        foreach (var group in batch.GroupBy(r => new AuditSegment(r.Environment, r.Tenant)))
        {
            var lines = group.Select(AuditJson.ToLine).ToList();
            var backoff = TimeSpan.FromMilliseconds(100);
            var failingSince = Stopwatch.GetTimestamp();
            while (true)
            {
                try
                {
                    await _sink.WriteAsync(group.Key, lines, CancellationToken.None).ConfigureAwait(false);
                    AuditMetrics.Written.Add(lines.Count);
                    AuditMetrics.BatchSize.Record(lines.Count);
                    if (_sinkFailure is not null)
                    {
                        _sinkFailure = null;
                        AuditLogEvents.SinkRecovered(_logger, _sink.Describe());
                    }

                    break;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    AuditMetrics.SinkErrors.Add(1);
                    if (_sinkFailure is null)
                    {
                        AuditLogEvents.SinkFailed(_logger, _sink.Describe(), e.GetType().Name, e.Message);
                    }

                    _sinkFailure = $"audit sink failing: {e.GetType().Name}: {e.Message}";
                    if (draining && Stopwatch.GetElapsedTime(failingSince) > TimeSpan.FromSeconds(10))
                    {
                        // Shutting down and the sink will not come back: say exactly what is lost.
                        AuditMetrics.Lost.Add(lines.Count);
                        AuditLogEvents.Lost(_logger, lines.Count, _sink.Describe());
                        break;
                    }

                    await Task.Delay(backoff).ConfigureAwait(false);
                    backoff = backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
                }
            }
        }
    }

    private async Task FlushAsync()
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await _sink.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            AuditMetrics.FlushSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            AuditMetrics.SinkErrors.Add(1);
            AuditLogEvents.SinkFailed(_logger, _sink.Describe(), e.GetType().Name, e.Message);
        }
    }
}
