using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Guardrail.Contracts.V1;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl screen: one Screen call, printed as tables or JSON.</summary>
public static class ScreenCommand
{
    public static Command Create()
    {
        var text = new Argument<string[]>("TEXT") { Description = "the text to screen (words are joined by spaces)", Arity = ArgumentArity.ZeroOrMore };
        var file = new Option<string?>("--file") { Description = "screen this file's content instead of TEXT (- for standard input)" };
        var docs = new Option<string[]>("--doc") { Description = "a document to screen with the text (repeatable; id = file name)", AllowMultipleArgumentsPerToken = false };
        var channel = ChannelNames.Option("where the text comes from");
        var session = new Option<string>("--session") { Description = "the conversation (session risk adds up over its turns)", DefaultValueFactory = _ => string.Empty };
        var model = new Option<string>("--model") { Description = "the protected model the text is for (an isolated one is answered BLOCK)", DefaultValueFactory = _ => string.Empty };
        var deanonymize = new Option<bool>("--deanonymize") { Description = "model output: restore the session's placeholders ([PERSON_1]) in the printed restored text" };
        var canaries = new Option<string[]>("--canary") { Description = "a canary token planted in the system prompt (repeatable)" };
        var timeout = CliOptions.Int("--timeout-ms", 10_000, "the call's deadline");
        var json = CliOptions.Json();
        var command = new Command("screen", "screen TEXT (or a file) with its documents and print the verdict, findings and every detector's status")
        {
            text, file, docs, channel, session, model, canaries, deanonymize, timeout, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            RefuseUnknownOptions(parse);
            var request = new ScreenRequest
            {
                SessionId = parse.GetValue(session)!,
                ModelId = parse.GetValue(model)!,
                Channel = ChannelNames.Wire(ChannelNames.Parse(parse.GetValue(channel)!)),
                Text = ReadText(parse.GetValue(text) ?? [], parse.GetValue(file), parse.GetValue(docs) ?? []),
                Deanonymize = parse.GetValue(deanonymize),
            };
            request.CanaryTokens.Add(parse.GetValue(canaries) ?? []);
            foreach (var path in parse.GetValue(docs) ?? [])
            {
                request.Documents.Add(new Document { Id = Path.GetFileName(path), Source = path, Text = ReadFile(path) });
            }

            using var client = CliOptions.Connect(parse);
            var response = await client.Screen.ScreenAsync(request, deadline: GatewayConnection.In(TimeSpan.FromMilliseconds(parse.GetValue(timeout))), cancellationToken: cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(new JsonFormatter(JsonFormatter.Settings.Default.WithFormatDefaultValues(true)).Format(response));
                return 0;
            }

            Print(response);
            return 0;
        });
        return command;
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
                f.DocumentId.Length == 0 ? "text" : f.DocumentId, $"{f.Span.Start}-{f.Span.End}", f.Hidden ? (f.HiddenAs.Length > 0 ? f.HiddenAs : "yes") : string.Empty,
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

        if (response.RestoredText.Length > 0)
        {
            Console.WriteLine();
            Console.WriteLine("restored text:");
            Console.WriteLine(response.RestoredText);
        }
    }

    /// <summary>TEXT takes any word, so a mistyped option would be screened as text: a word that
    /// looks like an option is refused, unless it comes after "--".</summary>
    private static void RefuseUnknownOptions(ParseResult parse)
    {
        foreach (var token in parse.Tokens)
        {
            if (token.Type == System.CommandLine.Parsing.TokenType.DoubleDash)
            {
                return;
            }

            if (token.Type == System.CommandLine.Parsing.TokenType.Argument && token.Value.StartsWith("--", StringComparison.Ordinal)
                && parse.GetResult(parse.CommandResult.Command.Arguments[0]) is { } text && text.Tokens.Contains(token))
            {
                throw new UsageException($"unknown option {token.Value} (to screen text that starts with --, put -- before it)");
            }
        }
    }

    private static string ReadText(string[] words, string? file, string[] docs)
    {
        if (file is not null && words.Length > 0)
        {
            throw new UsageException("give TEXT or --file, not both");
        }

        if (file is not null)
        {
            return ReadFile(file);
        }

        if (words.Length == 0 && docs.Length == 0)
        {
            throw new UsageException("screen needs TEXT, --file PATH or --doc PATH");
        }

        return string.Join(' ', words);
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

    /// <summary>The wire name without its prefix, as the audit log and metrics write it: SKIPPED_ISOLATED.</summary>
    private static string Name<T>(T value) where T : struct, Enum => Guardrail.Audit.Records.ScreenAuditRecords.WireName(value);
}
