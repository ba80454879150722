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
    public static async Task<int> RunAsync(CommandArgs args)
    {
        args.OnlyAllow("worker", "chars", "duration-s", "concurrency", "rounds", "timeout-ms");
        var workers = args.Values("worker");
        if (workers.Count == 0)
        {
            throw new UsageException("bench-detect needs --worker ADDRESS (one or more)");
        }

        var lengths = args.Values("chars").Select(c => int.Parse(c, CultureInfo.InvariantCulture)).DefaultIfEmpty(200).ToList();
        var duration = TimeSpan.FromSeconds(Math.Max(1, args.Int("duration-s", 3)));
        var concurrency = Math.Max(1, args.Int("concurrency", 64));
        var rounds = Math.Max(1, args.Int("rounds", 2));
        var timeout = TimeSpan.FromMilliseconds(Math.Max(1, args.Int("timeout-ms", 10_000)));
        var clients = workers.Select(w => new GatewayConnection(w, null)).ToList();
        try
        {
            var results = new Dictionary<(int Worker, int Chars), CallMeasurement>();
            Func<int, Task> Detect(GatewayConnection client, string[] texts) => i => client.Detector.DetectAsync(new DetectRequest { Texts = { new DetectText { Id = "0", Text = texts[i % texts.Length] } } }, deadline: GatewayConnection.In(timeout)).ResponseAsync;
            for (var round = -1; round < rounds; round++)
            {
                foreach (var chars in lengths)
                {
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
