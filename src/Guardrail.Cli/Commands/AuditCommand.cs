using System.Globalization;
using Guardrail.Audit.Reading;
using Guardrail.Audit.Records;
using Guardrail.Audit.Sealing;
using StackExchange.Redis;

namespace Guardrail.Cli.Commands;

/// <summary>
/// guardrailctl audit tail|search|decrypt|keygen: reads the audit log from the JSONL folder
/// (--dir, default "audit") or the Redis Streams (--redis HOST:PORT). Exit status 3 when a record
/// is damaged, a sealed text fails authentication, or a key is missing: tampering is never quiet.
/// </summary>
public static class AuditCommand
{
    public static readonly IReadOnlySet<string> Flags = new HashSet<string> { "json", "follow" };
    private const int DataProblem = 3;
    private static readonly string[] Filters = ["dir", "redis", "environment", "tenant", "session", "verdict", "model", "request", "since", "until"];

    public static async Task<int> RunAsync(CommandArgs args)
    {
        var verb = args.Positionals.FirstOrDefault() ?? throw new UsageException("audit needs tail, search, decrypt or keygen");
        switch (verb)
        {
            case "keygen":
                args.OnlyAllow("keys", "id");
                var path = AuditKeyRing.Generate(args.Value("keys") ?? throw new UsageException("audit keygen needs --keys DIR"), args.Value("id") ?? throw new UsageException("audit keygen needs --id ID"));
                Console.WriteLine($"wrote a new AES-256 key to {path}; make it active with Guardrail:Audit:ActiveKeyId={Path.GetFileName(path)}");
                return 0;
            case "tail":
                args.OnlyAllow([.. Filters, "lines", "follow", "json"]);
                return await TailAsync(args);
            case "search":
                args.OnlyAllow([.. Filters, "json"]);
                var problems = new List<AuditReadProblem>();
                Print(await ReadAsync(args, problems), args.Flag("json"));
                return Report(problems);
            case "decrypt":
                args.OnlyAllow([.. Filters, "keys", "key-id"]);
                return await DecryptAsync(args);
            default:
                throw new UsageException($"unknown audit command '{verb}' (tail, search, decrypt, keygen)");
        }
    }

    private static async Task<int> TailAsync(CommandArgs args)
    {
        var problems = new List<AuditReadProblem>();
        var lines = args.Int("lines", 20);
        var records = await ReadAsync(args, problems);
        Print(records.Skip(Math.Max(0, records.Count - lines)).ToList(), args.Flag("json"));
        if (!args.Flag("follow"))
        {
            return Report(problems);
        }

        if (args.Value("redis") is not null)
        {
            throw new UsageException("--follow reads the JSONL folder (--dir); a Redis Stream is followed with XREAD or a consumer group");
        }

        // Follow: remember how far each file was read, and print what is appended after that.
        var query = Query(args);
        var root = args.Value("dir") ?? "audit";
        var offsets = AuditFiles.Find(root, query).ToDictionary(f => f, f => new FileInfo(f).Length);
        while (true)
        {
            await Task.Delay(500);
            foreach (var file in AuditFiles.Find(root, query))
            {
                var fresh = AuditFiles.Read(file, problems, offsets.GetValueOrDefault(file), out var end, stopAtPartialTail: true).Where(query.Matches).ToList();
                offsets[file] = end;
                Print(fresh, args.Flag("json"), header: false);
            }
        }
    }

    private static async Task<int> DecryptAsync(CommandArgs args)
    {
        var keys = AuditKeyRing.Load(args.Value("keys") ?? throw new UsageException("audit decrypt needs --keys DIR (the folder of key files)"));
        var problems = new List<AuditReadProblem>();
        var failures = 0;
        foreach (var record in (await ReadAsync(args, problems)).Where(r => r.Retained is not null))
        {
            try
            {
                var text = keys.Open(record);
                Console.WriteLine($"== {record.RequestId}  {Time(record)}  {record.Tenant}  {record.Verdict}  (key {record.Retained!.KeyId})");
                Console.WriteLine(text.Text);
                foreach (var document in text.Documents ?? [])
                {
                    Console.WriteLine($"-- document {document.Id}");
                    Console.WriteLine(document.Text);
                }
            }
            catch (AuditKeyException e)
            {
                failures++;
                Console.Error.WriteLine($"guardrailctl: {e.Message}");
            }
        }

        return Math.Max(Report(problems), failures > 0 ? DataProblem : 0);
    }

    private static async Task<List<AuditRecord>> ReadAsync(CommandArgs args, List<AuditReadProblem> problems)
    {
        var query = Query(args);
        if (args.Value("redis") is { } redis)
        {
            using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
            return await AuditStreams.SearchAsync(connection.GetDatabase(), query, problems);
        }

        var root = args.Value("dir") ?? "audit";
        if (!Directory.Exists(root))
        {
            throw new UsageException($"no audit folder '{Path.GetFullPath(root)}': pass --dir (the gateway's Guardrail:Audit:Directory) or --redis");
        }

        return AuditFiles.Search(root, query, problems);
    }

    private static AuditQuery Query(CommandArgs args) => new(
        args.Value("environment") ?? (args.Value("redis") is null ? null : "local"),
        args.Value("tenant"),
        args.Value("session"),
        args.Value("verdict"),
        args.Value("model"),
        args.Value("request"),
        ParseTime(args.Value("since"), "since"),
        ParseTime(args.Value("until"), "until"));

    /// <summary>An ISO 8601 time, or an age: 90s, 15m, 2h, 7d.</summary>
    private static DateTimeOffset? ParseTime(string? value, string option)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > 1 && double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            TimeSpan? age = value[^1] switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
            if (age is { } span)
            {
                return DateTimeOffset.UtcNow - span;
            }
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new UsageException($"--{option} takes an ISO 8601 time or an age like 15m, 2h, 7d (was '{value}')");
    }

    private static void Print(List<AuditRecord> records, bool json, bool header = true)
    {
        if (json)
        {
            records.ForEach(r => Console.WriteLine(AuditJson.ToJson(r)));
            return;
        }

        if (records.Count == 0)
        {
            if (header)
            {
                Console.WriteLine("no matching audit records");
            }

            return;
        }

        var rows = records.Select(r => r.Kind == AuditRecord.AdminKind
            ? new[] { Time(r), r.Tenant, "-", "-", "ADMIN", "-", $"{r.Action} {r.Target} by {r.Actor}", r.RequestId }
            : [Time(r), r.Tenant, r.Session ?? "-", r.ModelId ?? "-", r.Verdict ?? "-", r.LatencyMs?.ToString("0.00", CultureInfo.InvariantCulture) ?? "-", Findings(r), r.RequestId + (r.Retained is null ? string.Empty : " (sealed)")]);
        if (header)
        {
            Table.Print(["TIME", "TENANT", "SESSION", "MODEL", "VERDICT", "MS", "FINDINGS", "REQUEST"], rows);
        }
        else
        {
            foreach (var row in rows)
            {
                Console.WriteLine(string.Join("  ", row));
            }
        }
    }

    private static string Findings(AuditRecord record)
        => record.Findings is not { Count: > 0 } findings ? "-" : string.Join(",", findings.GroupBy(f => f.Category).Select(g => $"{g.Key}×{g.Count()}"));

    private static string Time(AuditRecord record) => record.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    private static int Report(List<AuditReadProblem> problems)
    {
        foreach (var problem in problems)
        {
            Console.Error.WriteLine(problem.TornTail
                ? $"guardrailctl: {problem.Where}: line {problem.Line} was cut off by a crash mid-write (torn tail, skipped)"
                : $"guardrailctl: {problem.Where}: line {problem.Line} is not an audit record ({problem.Error})");
        }

        return problems.Any(p => !p.TornTail) ? DataProblem : 0;
    }
}
