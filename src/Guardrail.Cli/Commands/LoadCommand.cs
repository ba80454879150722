using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Guardrail.Cli.Load;
using Guardrail.Contracts.V1;
using Guardrail.Rpc;
using Guardrail.Rpc.Client;
using Guardrail.Rpc.Methods;

namespace Guardrail.Cli.Commands;

/// <summary>
/// guardrailctl load: the project's load generator. Screen calls from a prompt mix (ordinary
/// prompts, injections, personal data, a smuggled payload), closed loop or at a target rate, for a
/// while; prints p50/p90/p99/max, calls/s, errors by status, verdicts, and every detector run that
/// did not run (failed, timed out, isolated) so a degraded cluster shows even when calls succeed.
/// Exit 1 when a call failed.
/// </summary>
public static class LoadCommand
{
    public static readonly IReadOnlySet<string> Flags = new HashSet<string> { "json" };

    public static async Task<int> RunAsync(GrpcClient client, CommandArgs args)
    {
        args.OnlyAllow("duration-s", "concurrency", "rps", "chars", "timeout-ms", "session", "json");
        var duration = TimeSpan.FromSeconds(Math.Max(1, args.Int("duration-s", 10)));
        var concurrency = Math.Max(1, args.Int("concurrency", 8));
        var rate = Math.Max(0, args.Int("rps", 0));
        var chars = Math.Max(10, args.Int("chars", 1000));
        var options = new CallOptions(TimeSpan.FromMilliseconds(Math.Max(1, args.Int("timeout-ms", 5000))));
        var session = args.Value("session") ?? "load";
        var texts = BenchTexts.Build(chars);
        var verdicts = new ConcurrentDictionary<string, int>();
        var notRun = new ConcurrentDictionary<string, int>();

        async Task Screen(int i)
        {
            var response = await client.CallAsync(GuardrailMethods.Screen, new ScreenRequest { Text = texts[i % texts.Length], SessionId = $"{session}-{i % 64}" }, options).ConfigureAwait(false);
            verdicts.AddOrUpdate(response.Verdict.ToString().ToUpperInvariant(), 1, (_, n) => n + 1);
            foreach (var run in response.Detectors.Where(d => d.Status is DetectorStatus.Failed or DetectorStatus.TimedOut or DetectorStatus.SkippedIsolated))
            {
                notRun.AddOrUpdate($"{run.Detector}:{run.Status.ToString().ToUpperInvariant()}", 1, (_, n) => n + 1);
            }
        }

        var result = await ClosedLoop.RunAsync(Screen, concurrency, duration, rate);
        if (args.Flag("json"))
        {
            var json = new JsonObject
            {
                ["calls"] = result.Latencies.Count,
                ["calls_per_second"] = Math.Round(result.Rate, 1),
                ["p50_ms"] = Math.Round(result.Percentile(0.5), 3),
                ["p90_ms"] = Math.Round(result.Percentile(0.9), 3),
                ["p99_ms"] = Math.Round(result.Percentile(0.99), 3),
                ["max_ms"] = Math.Round(result.Percentile(1), 3),
                ["errors"] = new JsonObject(result.Errors.GroupBy(e => e.Canonical()).Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Count()))),
                ["verdicts"] = new JsonObject(verdicts.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value))),
                ["detectors_not_run"] = new JsonObject(notRun.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value))),
            };
            Console.WriteLine(json.ToJsonString());
        }
        else
        {
            Console.WriteLine($"Screen load: {concurrency} concurrent calls{(rate > 0 ? $" at {rate} calls/s" : ", closed loop")}, {duration.TotalSeconds:0} s, {chars}-character texts ({texts.Length} kinds)");
            Table.Print(["METHOD", "CALLS", "CALLS/S", "P50 MS", "P90 MS", "P99 MS", "MAX MS", "ERRORS"], [result.Row("screen")]);
            Console.WriteLine("verdicts: " + string.Join(", ", verdicts.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Key} {v.Value}"))));
            Console.WriteLine("detectors that did not run: " + (notRun.IsEmpty ? "none" : string.Join(", ", notRun.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Key} {v.Value}")))));
        }

        return result.Errors.Count == 0 ? 0 : 1;
    }
}
