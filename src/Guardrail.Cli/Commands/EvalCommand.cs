using System.CommandLine;
using Guardrail.Detection.Training;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl eval --data FILE.jsonl [...]: scores labelled texts with a shipped model;
/// --leave-one-source-out trains a model per source left out instead (see <see cref="LeaveOneSourceOutEval"/>).</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var data = new Option<string[]>("--data") { Description = "a JSONL file of labelled texts (fields text and label; repeatable)" };
        var loso = new Option<bool>("--leave-one-source-out") { Description = "train one model per source the recipe trains on, without it, and score every source with a model that never saw it (slow: minutes per fold)" };
        var dataDir = new Option<string>("--data-dir") { Description = "the training data, for --leave-one-source-out (the folder holding set1_...)", DefaultValueFactory = _ => Path.Combine("..", "shared", "data", "train") };
        var model = new Option<string>("--model") { Description = "which model", DefaultValueFactory = _ => "injection" };
        model.AcceptOnlyFromAmong("injection", "suffix", "encoder", "cascade", "segments", "documents");
        var models = new Option<string?>("--models") { Description = "the folder of .onnx files and cards [default: the shipped models]" };
        var lookalike = new Option<string[]>("--lookalike") { Description = "a data file whose benign rows are look-alikes, reported apart (repeatable)" };
        var errors = CliOptions.Int("--errors", 0, "also print the N highest-scored benign rows and N lowest-scored attacks", minimum: 0);
        var command = new Command("eval", "AUC, TPR at 1 % and 0.1 % FPR per source and overall, look-alike FPR, for labelled files") { data, model, models, lookalike, errors, loso, dataDir };
        command.SetAction(parse =>
        {
            if (parse.GetValue(loso))
            {
                if (parse.GetValue(model) is not ("injection" or "suffix"))
                {
                    throw new UsageException("--leave-one-source-out trains the injection or suffix model per fold: give --model injection or suffix");
                }

                return TerminalProgress.Run("eval", quiet: false, progress => LeaveOneSourceOutEval.Run(parse.GetValue(model)!, parse.GetValue(dataDir)!, progress));
            }

            var files = parse.GetValue(data) is { Length: > 0 } given ? given : throw new UsageException("give --data FILE.jsonl (repeatable), or --leave-one-source-out");
            var rows = files.SelectMany(f => File.Exists(f) ? TrainingData.Read(f) : throw new UsageException($"no such file: {f}")).ToList();
            var which = parse.GetValue(model)!;
            var score = ModelScorers.Load(which, parse.GetValue(models) ?? ModelScorers.DefaultModelDirectory());
            var lookAlikes = (parse.GetValue(lookalike) ?? []).Select(Path.GetFileNameWithoutExtension).OfType<string>().ToHashSet();
            var report = TerminalProgress.Run("eval", quiet: false, progress =>
            {
                var scored = 0;
                return Evaluation.Run(rows, texts =>
                {
                    var result = score(texts);
                    progress($"{scored += texts.Count} of {rows.Count} texts scored");
                    return result;
                }, lookAlikes);
            });
            EvaluationTable.Print($"{which} model on {rows.Count} texts from {files.Length} files", report);
            if (which == "cascade")
            {
                PrintEncoderShare(rows, ModelScorers.Load("injection", parse.GetValue(models) ?? ModelScorers.DefaultModelDirectory()));
            }

            PrintErrors(rows, report.Scores, parse.GetValue(errors));
            return 0;
        });
        return command;
    }

    /// <summary>The share of each file's benign rows and attacks that the fast tier leaves to the encoder.</summary>
    private static void PrintEncoderShare(IReadOnlyList<LabeledText> rows, Func<IReadOnlyList<string>, float[]> fast)
    {
        var cascade = new Detection.Detectors.DetectionOptions().Cascades[0];
        var routed = fast([.. rows.Select(r => r.Text)]).Select(cascade.Undecided).ToArray();
        Console.WriteLine();
        Console.WriteLine($"share reaching the encoder (injection-classifier score in [{cascade.From}, {cascade.Below})):");
        var table = Enumerable.Range(0, rows.Count).GroupBy(i => (rows[i].File, rows[i].Label)).OrderBy(g => g.Key.File, StringComparer.Ordinal).ThenBy(g => g.Key.Label)
            .Select(g => new[] { g.Key.File, g.Key.Label == 1 ? "attacks" : "benign", g.Count().ToString(System.Globalization.CultureInfo.InvariantCulture), $"{100.0 * g.Count(i => routed[i]) / g.Count():0.0} %" })
            .ToList();
        table.Add(["all", "", rows.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{100.0 * routed.Count(r => r) / rows.Count:0.0} %"]);
        Table.Print(["FILE", "ROWS", "N", "TO ENCODER"], table);
    }

    /// <summary>The worst mistakes, for error analysis: the highest-scored benign rows and the
    /// lowest-scored attacks, with the start of their text (this prints evaluation data, not traffic).</summary>
    private static void PrintErrors(IReadOnlyList<LabeledText> rows, IReadOnlyList<float> scores, int count)
    {
        if (count <= 0)
        {
            return;
        }

        foreach (var (label, title, order) in new[] { (0, "highest-scored benign", -1), (1, "lowest-scored attacks", 1) })
        {
            Console.WriteLine();
            Console.WriteLine(title + ":");
            var worst = Enumerable.Range(0, rows.Count).Where(i => rows[i].Label == label).OrderBy(i => order * scores[i]).Take(count);
            foreach (var i in worst)
            {
                var text = rows[i].Text.ReplaceLineEndings(" ");
                Console.WriteLine($"  {scores[i]:0.000}  {rows[i].File,-40}  {(text.Length > 110 ? text[..110] + "…" : text)}");
            }
        }
    }
}
