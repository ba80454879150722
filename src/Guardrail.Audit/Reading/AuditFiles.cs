using System.Text.Json;
using Guardrail.Audit.Records;

namespace Guardrail.Audit.Reading;

/// <summary>Reads the JSONL sink's files: {root}/{environment}/{tenant}/audit-*.jsonl.</summary>
public static class AuditFiles
{
    /// <summary>The files that can hold records matching the query, oldest first within a segment.</summary>
    public static IEnumerable<string> Find(string root, AuditQuery query)
    {
        if (!Directory.Exists(root))
        {
            yield break;
        }

        foreach (var environment in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            if (query.Environment is not null && Path.GetFileName(environment) != query.Environment)
            {
                continue;
            }

            foreach (var tenant in Directory.EnumerateDirectories(environment).Order(StringComparer.Ordinal))
            {
                if (query.Tenant is not null && Path.GetFileName(tenant) != query.Tenant)
                {
                    continue;
                }

                foreach (var file in Directory.EnumerateFiles(tenant, "audit-*.jsonl").Order(StringComparer.Ordinal))
                {
                    yield return file;
                }
            }
        }
    }

    /// <summary>Every record of one file, from <paramref name="offset"/> (bytes); unreadable lines
    /// go to <paramref name="problems"/>. A last line without its newline is a torn tail: not
    /// reported as a problem while <paramref name="stopAtPartialTail"/> (a writer may be mid-line;
    /// `tail --follow` reads it later), and <paramref name="end"/> stops before it.</summary>
    public static List<AuditRecord> Read(string file, List<AuditReadProblem> problems, long offset, out long end, bool stopAtPartialTail = false)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Position = offset;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        var records = new List<AuditRecord>();
        var line = 0;
        var at = 0;
        while (at < bytes.Length)
        {
            line++;
            var newline = bytes[at..].IndexOf((byte)'\n');
            var complete = newline >= 0;
            var text = complete ? bytes.Slice(at, newline) : bytes[at..];
            if (!complete && stopAtPartialTail)
            {
                break;
            }

            try
            {
                records.Add(AuditJson.Parse(text));
            }
            catch (JsonException e)
            {
                problems.Add(new AuditReadProblem(file, line, TornTail: !complete, e.Message));
            }

            at += complete ? newline + 1 : text.Length;
        }

        end = offset + at;
        return records;
    }

    /// <summary>Every matching record under the root, in time order.</summary>
    public static List<AuditRecord> Search(string root, AuditQuery query, List<AuditReadProblem> problems)
        => [.. Find(root, query).SelectMany(file => Read(file, problems, 0, out _)).Where(query.Matches).OrderBy(r => r.Time)];
}
