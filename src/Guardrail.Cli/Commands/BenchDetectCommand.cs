using System.CommandLine;
using System.Globalization;
using Guardrail.Cli.Load;
using Guardrail.Contracts.V1;

namespace Guardrail.Cli.Commands;

/// <summary>
/// guardrailctl bench-detect: Detect calls (one text, both detectors) from many concurrent loops
/// against each given worker, for each text length, interleaved in rounds in one run; texts/s and
/// p99 per worker, and each worker's throughput as a ratio to the first's at the same length (run
/// the first with MaxBatchItems=1 and the second with 64 to see what dynamic batching buys).
/// </summary>
public static class BenchDetectCommand
{
    public static Command Create()
    {
        var worker = new Option<string[]>("--worker") { Description = "a detector worker, HOST:PORT (repeatable; the first is the baseline)", Required = true };
        var chars = new Option<int[]>("--chars") { Description = "text lengths (repeatable) [default: 200]" };
        var duration = CliOptions.Int("--duration-s", 3, "seconds per worker per length per round");
        var concurrency = CliOptions.Int("--concurrency", 64, "calls in flight");
        var rounds = CliOptions.Int("--rounds", 2, "interleaved rounds");
        var timeout = CliOptions.Int("--timeout-ms", 10_000, "each call's deadline");
        var command = new Command("bench-detect", "Detect throughput (texts/s) and latency of detector workers, each against the first (e.g. max batch 1 against 64)")
        {
            worker, chars, duration, concurrency, rounds, timeout,
        };
        command.SetAction((parse, _) => TerminalProgress.RunAsync("bench-detect", quiet: false, progress => RunAsync(
            parse.GetValue(worker)!, parse.GetValue(chars) is { Length: > 0 } given ? given : [200], TimeSpan.FromSeconds(parse.GetValue(duration)),
            parse.GetValue(concurrency), parse.GetValue(rounds), TimeSpan.FromMilliseconds(parse.GetValue(timeout)), progress)));
        return command;
    }

    private static async Task<int> RunAsync(string[] workers, int[] lengths, TimeSpan duration, int concurrency, int rounds, TimeSpan timeout, Action<string> progress)
    {
        var clients = workers.Select(w => new GatewayConnection(w, null)).ToList();
        try
        {
            var results = new Dictionary<(int Worker, int Chars), CallMeasurement>();
            Func<int, Task> Detect(GatewayConnection client, string[] texts) => i => client.Detector.DetectAsync(new DetectRequest { Texts = { new DetectText { Id = "0", Text = texts[i % texts.Length] } } }, deadline: GatewayConnection.In(timeout)).ResponseAsync;
            for (var round = -1; round < rounds; round++)
            {
                foreach (var chars in lengths)
                {
                    progress(round < 0 ? "warming up" : $"round {round + 1} of {rounds}, {chars} characters");
                    var texts = PromptMix.Texts(chars);
                    for (var w = 0; w < clients.Count; w++)
                    {
                        // Round -1 warms up (connections, JIT, ORT's first runs) and is not counted.
                        var measured = await ClosedLoop.RunAsync(Detect(clients[w], texts), concurrency, round < 0 ? TimeSpan.FromSeconds(1) : duration);
                        if (round >= 0)
                        {
                            (results.TryGetValue((w, chars), out var total) ? total : results[(w, chars)] = new CallMeasurement()).Add(measured);
                        }
                    }
                }
            }

            Console.WriteLine($"Detect on {clients.Count} workers: {concurrency} concurrent calls of one text each (both detectors), {rounds} rounds of {duration.TotalSeconds:0} s");
            var rows = new List<string[]>();
            foreach (var chars in lengths)
            {
                for (var w = 0; w < clients.Count; w++)
                {
                    var m = results[(w, chars)];
                    var baseline = results[(0, chars)];
                    rows.Add([workers[w], chars.ToString(CultureInfo.InvariantCulture), m.Rate.ToString("0", CultureInfo.InvariantCulture),
                        m.Percentile(0.5).ToString("0.00", CultureInfo.InvariantCulture), m.Percentile(0.99).ToString("0.00", CultureInfo.InvariantCulture),
                        m.ErrorSummary(), (m.Rate / baseline.Rate).ToString("0.00", CultureInfo.InvariantCulture) + "x"]);
                }
            }

            Table.Print(["WORKER", "CHARS", "TEXTS/S", "P50 MS", "P99 MS", "ERRORS", "VS FIRST"], rows);
            return results.Values.All(m => m.Errors.Count == 0) ? 0 : 1;
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }
}
