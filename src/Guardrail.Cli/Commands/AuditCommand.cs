using System.CommandLine;
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
    private const int DataProblem = 3;

    public static Command Create()
    {
        var keys = new Option<string>("--keys") { Description = "the folder of AES-256 key files (name = key id)", Required = true };
        var id = new Option<string>("--id") { Description = "the new key's id (its file name)", Required = true };
        var keygen = new Command("keygen", "write a new audit key to the folder") { keys, id };
        keygen.SetAction(parse =>
        {
            var path = AuditKeyRing.Generate(parse.GetValue(keys)!, parse.GetValue(id)!);
            Console.WriteLine($"wrote a new AES-256 key to {path}; make it active with Guardrail:Audit:ActiveKeyId={Path.GetFileName(path)}");
            return 0;
        });

        var tailFilters = new Filters();
        var lines = CliOptions.Int("--lines", 20, "how many of the newest records to print first", minimum: 0);
        var follow = new Option<bool>("--follow") { Description = "then print new records as they are written (JSONL folder only)" };
        var tailJson = CliOptions.Json("one JSON record per line");
        var tail = tailFilters.AddTo(new Command("tail", "the newest records, and with --follow the ones that follow") { lines, follow, tailJson });
        tail.SetAction((parse, cancellationToken) => TailAsync(tailFilters.Query(parse), tailFilters, parse, parse.GetValue(lines), parse.GetValue(follow), parse.GetValue(tailJson), cancellationToken));

        var searchFilters = new Filters();
        var searchJson = CliOptions.Json("one JSON record per line");
        var search = searchFilters.AddTo(new Command("search", "records that match the filters") { searchJson });
        search.SetAction(async (parse, cancellationToken) =>
        {
            var problems = new List<AuditReadProblem>();
            Print(await ReadAsync(searchFilters, parse, problems), parse.GetValue(searchJson));
            return Report(problems);
        });

        var decryptFilters = new Filters();
        var decryptKeys = new Option<string>("--keys") { Description = "the folder of key files that sealed the records", Required = true };
        var decrypt = decryptFilters.AddTo(new Command("decrypt", "the text retained (sealed) with matching records; exit 3 when one fails authentication") { decryptKeys });
        decrypt.SetAction((parse, _) => DecryptAsync(decryptFilters, parse, parse.GetValue(decryptKeys)!));

        return new Command("audit", "read the audit log (JSONL folder or Redis Streams), open retained text, make keys") { tail, search, decrypt, keygen };
    }

    /// <summary>Where to read and what to match, the same on every reading command.</summary>
    private sealed class Filters
    {
        public Option<string> Dir { get; } = new("--dir") { Description = "the gateway's audit folder (Guardrail:Audit:Directory)", DefaultValueFactory = _ => "audit" };

        public Option<string?> Redis { get; } = new("--redis") { Description = "read the Redis Streams at HOST:PORT instead of the folder" };

        public Option<string?> Environment { get; } = new("--environment") { Description = "the records' environment (Guardrail:Audit:Environment)" };

        public Option<string?> Tenant { get; } = new("--tenant") { Description = "only this tenant" };

        public Option<string?> Session { get; } = new("--session") { Description = "only this session" };

        public Option<string?> Verdict { get; } = new("--verdict") { Description = "only this verdict (allow, flag, redact, block, throttle)" };

        public Option<string?> Model { get; } = new("--model") { Description = "only this target model" };

        public Option<string?> Request { get; } = new("--request") { Description = "only this request id" };

        public Option<string?> Since { get; } = new("--since") { Description = "from an ISO 8601 time or an age: 90s, 15m, 2h, 7d" };

        public Option<string?> Until { get; } = new("--until") { Description = "up to an ISO 8601 time or an age" };

        public Command AddTo(Command command)
        {
            foreach (var option in new Option[] { Dir, Redis, Environment, Tenant, Session, Verdict, Model, Request, Since, Until })
            {
                command.Add(option);
            }

            return command;
        }

        public AuditQuery Query(ParseResult parse) => new(
            parse.GetValue(Environment) ?? (parse.GetValue(Redis) is null ? null : "local"),
            parse.GetValue(Tenant),
            parse.GetValue(Session),
            parse.GetValue(Verdict),
            parse.GetValue(Model),
            parse.GetValue(Request),
            ParseTime(parse.GetValue(Since), "since"),
            ParseTime(parse.GetValue(Until), "until"));
    }

    private static async Task<int> TailAsync(AuditQuery query, Filters filters, ParseResult parse, int lines, bool follow, bool json, CancellationToken cancellationToken)
    {
        var problems = new List<AuditReadProblem>();
        var records = await ReadAsync(filters, parse, problems);
        Print(records.Skip(Math.Max(0, records.Count - lines)).ToList(), json);
        if (!follow)
        {
            return Report(problems);
        }

        if (parse.GetValue(filters.Redis) is not null)
        {
            throw new UsageException("--follow reads the JSONL folder (--dir); a Redis Stream is followed with XREAD or a consumer group");
        }

        // Follow: remember how far each file was read, and print what is appended after that.
        var root = parse.GetValue(filters.Dir)!;
        var offsets = AuditFiles.Find(root, query).ToDictionary(f => f, f => new FileInfo(f).Length);
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(500, CancellationToken.None);
            foreach (var file in AuditFiles.Find(root, query))
            {
                var fresh = AuditFiles.Read(file, problems, offsets.GetValueOrDefault(file), out var end, stopAtPartialTail: true).Where(query.Matches).ToList();
                offsets[file] = end;
                Print(fresh, json, header: false);
            }
        }

        return 0;
    }

    private static async Task<int> DecryptAsync(Filters filters, ParseResult parse, string keyFolder)
    {
        var keys = AuditKeyRing.Load(keyFolder);
        var problems = new List<AuditReadProblem>();
        var failures = 0;
        foreach (var record in (await ReadAsync(filters, parse, problems)).Where(r => r.Retained is not null))
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

    private static async Task<List<AuditRecord>> ReadAsync(Filters filters, ParseResult parse, List<AuditReadProblem> problems)
    {
        var query = filters.Query(parse);
        if (parse.GetValue(filters.Redis) is { } redis)
        {
            using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
            return await AuditStreams.SearchAsync(connection.GetDatabase(), query, problems);
        }

        var root = parse.GetValue(filters.Dir)!;
        if (!Directory.Exists(root))
        {
            throw new UsageException($"no audit folder '{Path.GetFullPath(root)}': pass --dir (the gateway's Guardrail:Audit:Directory) or --redis");
        }

        return AuditFiles.Search(root, query, problems);
    }

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
