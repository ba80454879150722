using System.Globalization;
using Google.Protobuf;
using Guardrail.Contracts.V1;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl screen: one Screen call, printed as tables or JSON.</summary>
public static class ScreenCommand
{
    public static readonly IReadOnlySet<string> Flags = new HashSet<string> { "json" };

    public static async Task<int> RunAsync(GatewayConnection client, CommandArgs args)
    {
        args.OnlyAllow("file", "doc", "channel", "session", "model", "canary", "timeout-ms", "json");
        var request = new ScreenRequest
        {
            SessionId = args.Value("session") ?? string.Empty,
            ModelId = args.Value("model") ?? string.Empty,
            Channel = ParseChannel(args.Value("channel")),
            Text = ReadText(args),
        };
        request.CanaryTokens.Add(args.Values("canary"));
        foreach (var path in args.Values("doc"))
        {
            request.Documents.Add(new Document { Id = Path.GetFileName(path), Source = path, Text = ReadFile(path) });
        }

        var timeout = TimeSpan.FromMilliseconds(args.Int("timeout-ms", 10_000));
        var response = await client.Screen.ScreenAsync(request, deadline: GatewayConnection.In(timeout));
        if (args.Flag("json"))
        {
            Console.WriteLine(new JsonFormatter(JsonFormatter.Settings.Default.WithFormatDefaultValues(true)).Format(response));
            return 0;
        }

        Print(response);
        return 0;
    }

    private static void Print(ScreenResponse response)
    {
        Console.WriteLine($"verdict   {Name(response.Verdict)}");
        Console.WriteLine($"request   {response.RequestId}");
        Console.WriteLine($"tenant    {response.TenantId} (policy {response.PolicyVersion}){(response.TenantAnomalous ? ", anomaly alarm raised" : string.Empty)}{(response.StateFallback ? ", state from the local fallback" : string.Empty)}");
        if (response.SessionRisk > 0 || response.SessionLockedUntilMs > 0)
        {
            var locked = response.SessionLockedUntilMs > 0 ? $", locked until {DateTimeOffset.FromUnixTimeMilliseconds((long)response.SessionLockedUntilMs):u}" : string.Empty;
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"session   risk {response.SessionRisk:0.00}{locked}"));
        }

        if (response.RetryAfterMs > 0)
        {
            Console.WriteLine($"retry     after {response.RetryAfterMs} ms");
        }
        if (response.FallbackModelId.Length > 0)
        {
            Console.WriteLine($"fallback  model {response.FallbackModelId} (the requested model is isolated)");
        }

        foreach (var reason in response.Reasons)
        {
            Console.WriteLine($"reason    {reason}");
        }

        if (response.Findings.Count > 0)
        {
            Console.WriteLine();
            var rows = response.Findings.Select(f => new[]
            {
                f.Category, f.Rule, f.Score.ToString("0.00", CultureInfo.InvariantCulture),
                f.DocumentId.Length == 0 ? "text" : f.DocumentId, $"{f.Span.Start}-{f.Span.End}", f.Hidden ? "yes" : string.Empty,
            });
            Table.Print(["CATEGORY", "RULE", "SCORE", "WHERE", "SPAN", "HIDDEN"], rows);
        }

        Console.WriteLine();
        Table.Print(["DETECTOR", "MODEL@VERSION", "STATUS", "SCORE", "REASON"], response.Detectors.Select(d => new[]
        {
            d.Detector, $"{d.Model}@{d.Version}", Name(d.Status), d.Score.ToString("0.00", CultureInfo.InvariantCulture), d.Reason,
        }));
        if (response.RedactedText.Length > 0)
        {
            Console.WriteLine();
            Console.WriteLine("redacted text:");
            Console.WriteLine(response.RedactedText);
        }

        foreach (var document in response.RedactedDocuments)
        {
            Console.WriteLine();
            Console.WriteLine($"redacted document {document.Id}:");
            Console.WriteLine(document.Text);
        }
    }

    private static string ReadText(CommandArgs args)
    {
        var file = args.Value("file");
        if (file is not null && args.Positionals.Count > 0)
        {
            throw new UsageException("give TEXT or --file, not both");
        }

        if (file is not null)
        {
            return ReadFile(file);
        }

        if (args.Positionals.Count == 0 && args.Values("doc").Count == 0)
        {
            throw new UsageException("screen needs TEXT, --file PATH or --doc PATH");
        }

        return string.Join(' ', args.Positionals);
    }

    private static string ReadFile(string path)
    {
        try
        {
            return path == "-" ? Console.In.ReadToEnd() : File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new UsageException($"cannot read {path}: {e.Message}");
        }
    }

    private static Channel ParseChannel(string? name) => name switch
    {
        null or "user_prompt" or "user" => Channel.UserPrompt,
        "document" => Channel.Document,
        "tool_output" or "tool" => Channel.ToolOutput,
        "model_output" or "output" => Channel.ModelOutput,
        _ => throw new UsageException($"--channel must be user_prompt, document, tool_output or model_output (was '{name}')"),
    };

    /// <summary>The wire name without its prefix, as the audit log and metrics write it: SKIPPED_ISOLATED.</summary>
    private static string Name<T>(T value) where T : struct, Enum => Guardrail.Audit.Records.ScreenAuditRecords.WireName(value);
}
