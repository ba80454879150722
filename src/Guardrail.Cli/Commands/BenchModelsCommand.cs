using System.Diagnostics;
using System.Globalization;
using Guardrail.Cli.Load;

namespace Guardrail.Cli.Commands;

/// <summary>
/// guardrailctl bench-models: each shipped model on CPU, one process, at batch 1 (one text per
/// inference) and batch 64, on the benchmark's 1,000-character prompts; items/s and µs per item.
/// Batch 1 is the baseline measured in the same run.
/// </summary>
public static class BenchModelsCommand
{
    public static int Run(CommandArgs args)
    {
        args.OnlyAllow("models", "chars", "seconds");
        var directory = args.Value("models") ?? ModelScorers.DefaultModelDirectory();
        var chars = Math.Max(10, args.Int("chars", 1000));
        var seconds = Math.Max(1, args.Int("seconds", 3));
        var texts = PromptMix.Texts(chars);
        var rows = new List<string[]>();
        var perItem = new Dictionary<(string, int), double>();
        foreach (var model in new[] { "injection", "suffix" })
        {
            var score = ModelScorers.Load(model, directory);
            foreach (var batch in new[] { 1, 64 })
            {
                var items = Enumerable.Range(0, batch).Select(i => texts[i % texts.Length]).ToList();
                score(items); // warm-up
                var clock = Stopwatch.StartNew();
                long done = 0;
                while (clock.Elapsed.TotalSeconds < seconds)
                {
                    score(items);
                    done += batch;
                }

                var rate = done / clock.Elapsed.TotalSeconds;
                perItem[(model, batch)] = 1e6 / rate;
                rows.Add([model, batch.ToString(CultureInfo.InvariantCulture), rate.ToString("0", CultureInfo.InvariantCulture), (1e6 / rate).ToString("0.0", CultureInfo.InvariantCulture)]);
            }
        }

        Console.WriteLine($"models from {directory}, {chars}-character texts, one thread, CPU");
        Table.Print(["MODEL", "BATCH", "ITEMS/S", "US/ITEM"], rows);
        var both64 = perItem[("injection", 64)] + perItem[("suffix", 64)];
        var both1 = perItem[("injection", 1)] + perItem[("suffix", 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"both models together: {both64:0.0} us per item at batch 64, {both1:0.0} us at batch 1 ({both1 / both64:0.00}x)"));
        return 0;
    }
}
