using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Guardrail.Audit.Sinks;

/// <summary>
/// Append-only JSON Lines files, one series per segment:
/// <c>{directory}/{environment}/{tenant}/audit-{yyyyMMdd}-{HHmmss}-{n}.jsonl</c>. A file is never
/// reopened: each process start, UTC day and <c>MaxFileBytes</c> begins a new one, so a file that a
/// crash cut short stays cut where it was. Each batch is one positional write of whole lines (a
/// killed process leaves whole batches behind); <see cref="FlushAsync"/> fsyncs the files written
/// since the last flush.
/// </summary>
public sealed class JsonlFileSink(string directory, long maxFileBytes, TimeProvider time, int maxOpenFiles = 256) : IAuditSink
{
    private readonly Dictionary<AuditSegment, SegmentFile> _open = [];

    public string Describe() => $"JSONL files under {Path.GetFullPath(directory)}";

    public Task WriteAsync(AuditSegment segment, IReadOnlyList<byte[]> lines, CancellationToken cancellationToken)
    {
        var size = lines.Sum(l => (long)l.Length);
        var now = time.GetUtcNow();
        if (_open.TryGetValue(segment, out var file) && (file.Day != now.Date || (file.Length > 0 && file.Length + size > maxFileBytes)))
        {
            Close(segment, file);
            file = null;
        }

        file ??= Open(segment, now);
        var batch = new byte[size];
        var at = 0;
        foreach (var line in lines)
        {
            line.CopyTo(batch, at);
            at += line.Length;
        }

        try
        {
            RandomAccess.Write(file.Handle, batch, file.Length);
        }
        catch (IOException)
        {
            Close(segment, file); // the retry starts a new file after whatever part of the batch landed
            throw;
        }

        file.Length += size;
        file.Dirty = true;
        file.LastWrite = now;
        return Task.CompletedTask;
    }

    public Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var file in _open.Values.Where(f => f.Dirty))
        {
            RandomAccess.FlushToDisk(file.Handle);
            file.Dirty = false;
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        foreach (var (segment, file) in _open.ToList())
        {
            Close(segment, file);
        }

        return ValueTask.CompletedTask;
    }

    private SegmentFile Open(AuditSegment segment, DateTimeOffset now)
    {
        if (_open.Count >= maxOpenFiles)
        {
            var idle = _open.MinBy(f => f.Value.LastWrite);
            Close(idle.Key, idle.Value);
        }

        var folder = Path.Combine(directory, segment.Environment, segment.Tenant);
        Directory.CreateDirectory(folder);
        var stamp = now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        for (var n = 1; ; n++)
        {
            var path = Path.Combine(folder, $"audit-{stamp}-{n:D3}.jsonl");
            try
            {
                var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
                var file = new SegmentFile(handle, now.Date) { LastWrite = now };
                _open[segment] = file;
                return file;
            }
            catch (IOException) when (File.Exists(path))
            {
                // another file of this second (rotation by size, or a restart): take the next number
            }
        }
    }

    private void Close(AuditSegment segment, SegmentFile file)
    {
        try
        {
            if (file.Dirty)
            {
                RandomAccess.FlushToDisk(file.Handle);
            }
        }
        finally
        {
            file.Handle.Dispose();
            _open.Remove(segment);
        }
    }

    private sealed class SegmentFile(SafeFileHandle handle, DateTime day)
    {
        public SafeFileHandle Handle { get; } = handle;

        public DateTime Day { get; } = day;

        public long Length { get; set; }

        public bool Dirty { get; set; }

        public DateTimeOffset LastWrite { get; set; }
    }
}
