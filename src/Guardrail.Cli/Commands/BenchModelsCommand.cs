using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Guardrail.Cli.Load;
using Guardrail.Detection.Training;

namespace Guardrail.Cli.Commands;

/// <summary>
/// guardrailctl bench-models: each shipped model on CPU, one process, at batch 1 (one text per
/// inference) and batch 64, on the benchmark's 1,000-character prompts (or, with --data, a JSONL
/// file's texts joined and cut into pieces of that length); items/s and µs per item. Batch 1 is
/// the baseline measured in the same run; the issue's target is both fast models under 100 µs per
/// 1,000-character prompt at batch 64. "segments" is the document-injection detector (the injection
/// model sentence by sentence), which reads documents and tool outputs only. The encoder tier (MiniLM, a 1,000-character text is three
/// 128-token windows) is timed at batch 1, 16 and 64: it runs only on what the fast tier leaves.
/// </summary>
public static class BenchModelsCommand
{
    public static Command Create()
    {
        var models = new Option<string?>("--models") { Description = "the folder of .onnx files and cards [default: the shipped models]" };
        var chars = CliOptions.Int("--chars", 1000, "text length", minimum: 10);
        var seconds = CliOptions.Int("--seconds", 3, "seconds per model per batch size");
        var data = new Option<string?>("--data") { Description = "a JSONL file whose texts, joined and cut to --chars, are scored [default: the load-test prompt mix]" };
        var command = new Command("bench-models", "each ML model's items/s and us per item at batch 1 and 64 (the encoder also 16; CPU, one thread), against the 100 us target") { models, chars, seconds, data };
        command.SetAction(parse => TerminalProgress.Run("bench-models", quiet: false, progress =>
            Run(parse.GetValue(models) ?? ModelScorers.DefaultModelDirectory(), parse.GetValue(chars), parse.GetValue(seconds), parse.GetValue(data), progress)));
        return command;
    }

    private static int Run(string directory, int chars, int seconds, string? data, Action<string> progress)
    {
        var texts = data is null ? PromptMix.Texts(chars) : Pieces(data, chars);
        var rows = new List<string[]>();
        var perItem = new Dictionary<(string, int), double>();
        foreach (var (model, batches) in new[] { ("injection", new[] { 1, 64 }), ("suffix", [1, 64]), ("segments", [1, 64]), ("encoder", [1, 16, 64]) })
        {
            var score = ModelScorers.Load(model, directory);
            foreach (var batch in batches)
            {
                progress($"{model} at batch {batch}");
                // Every batch size takes the texts in the same rotation, so batch 1 is not timed on
                // one text the caches already hold.
                List<string> Next(long done) => [.. Enumerable.Range(0, batch).Select(i => texts[(int)((done + i) % texts.Length)])];
                score(Next(0)); // warm-up
                var clock = Stopwatch.StartNew();
                long done = 0;
                while (clock.Elapsed.TotalSeconds < seconds)
                {
                    score(Next(done));
                    done += batch;
                }

                var rate = done / clock.Elapsed.TotalSeconds;
                perItem[(model, batch)] = 1e6 / rate;
                rows.Add([model, batch.ToString(CultureInfo.InvariantCulture), rate.ToString("0", CultureInfo.InvariantCulture), (1e6 / rate).ToString("0.0", CultureInfo.InvariantCulture)]);
            }
        }

        Console.WriteLine($"models from {directory}, {texts.Length} {chars}-character texts from {data ?? "the load-test prompt mix"}, one thread, CPU");
        Table.Print(["MODEL", "BATCH", "ITEMS/S", "US/ITEM"], rows);
        var both64 = perItem[("injection", 64)] + perItem[("suffix", 64)];
        var both1 = perItem[("injection", 1)] + perItem[("suffix", 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"both fast models together: {both64:0.0} us per item at batch 64, {both1:0.0} us at batch 1 ({both1 / both64:0.00}x)"));
        var target = TargetMicroseconds * chars / 1000.0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"target: under {target:0} us per item at batch 64 ({TargetMicroseconds} per 1,000 characters): {(both64 < target ? "met" : "MISSED")}"));
        return 0;
    }

    private const int TargetMicroseconds = 100;

    /// <summary>Up to 256 texts of exactly <paramref name="chars"/> characters: the file's texts in order, joined by newlines.</summary>
    private static string[] Pieces(string path, int chars)
    {
        var joined = string.Join('\n', TrainingData.Read(path).Select(r => r.Text));
        var pieces = Enumerable.Range(0, Math.Min(256, joined.Length / chars)).Select(i => joined.Substring(i * chars, chars)).ToArray();
        return pieces.Length > 0 ? pieces : throw new UsageException($"{path} holds fewer than {chars} characters of text");
    }
}
