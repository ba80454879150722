using System.CommandLine;
using Guardrail.Detection.Training;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl eval --data FILE.jsonl [...]: scores labelled texts with a shipped model;
/// --leave-one-source-out trains a model per source left out instead (see <see cref="LeaveOneSourceOutEval"/>).</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var data = new Option<string[]>("--data") { Description = "a JSONL file of labelled texts (fields text and label; repeatable); FILE#sources=A,B reads only the rows whose source starts with A or B, FILE#except=A,B the others" };
        var loso = new Option<bool>("--leave-one-source-out") { Description = "train one model per source the recipe trains on, without it, and score every source with a model that never saw it (slow: minutes per fold)" };
        var dataDir = new Option<string>("--data-dir") { Description = "the training data, for --leave-one-source-out (the folder holding set1_...)", DefaultValueFactory = _ => Path.Combine("..", "shared", "data", "train") };
        var model = new Option<string>("--model") { Description = "which model", DefaultValueFactory = _ => "injection" };
        model.AcceptOnlyFromAmong("injection", "suffix", "encoder", "cascade", "segments", "documents");
        var models = new Option<string?>("--models") { Description = "the folder of .onnx files and cards [default: the shipped models]" };
        var lookalike = new Option<string[]>("--lookalike") { Description = "a data file whose benign rows are look-alikes, reported apart (repeatable)" };
        var errors = CliOptions.Int("--errors", 0, "also print the N highest-scored benign rows and N lowest-scored attacks", minimum: 0);
        var gateway = new Option<bool>("--gateway") { Description = "screen each row through the default gateway's detectors and policy (rules, hidden payloads, personal data, ML cascade) and print the share of each verdict, instead of one model's scores" };
        var channel = ChannelNames.Option("with --gateway: what each row is");
        var concurrency = CliOptions.Int("--concurrency", 16, "with --gateway: rows screened at once", minimum: 1);
        var padWith = new Option<string?>("--pad-with") { Description = "pad every row of --data with this file's benign prompts of 40-400 characters (before, after, both sides in turn): does an attack survive dilution by everyday text?" };
        var padChars = CliOptions.Int("--pad-chars", 700, "with --pad-with: characters of padding per row", minimum: 1);
        var card = new Option<string?>("--card") { Description = "with --leave-one-source-out: record the table in this model card (the model's own, trained from the same data and settings), e.g. models/injection-classifier.card.json" };
        var command = new Command("eval", "AUC, TPR at 1 % and 0.1 % FPR per source and overall, look-alike FPR, for labelled files") { data, model, models, lookalike, errors, loso, dataDir, gateway, channel, concurrency, padWith, padChars, card };
        command.SetAction(parse =>
        {
            if (parse.GetValue(loso))
            {
                if (parse.GetValue(model) is not ("injection" or "suffix"))
                {
                    throw new UsageException("--leave-one-source-out trains the injection or suffix model per fold: give --model injection or suffix");
                }

                return TerminalProgress.Run("eval", quiet: false, progress => LeaveOneSourceOutEval.Run(parse.GetValue(model)!, parse.GetValue(dataDir)!, parse.GetValue(card), progress));
            }

            if (parse.GetValue(card) is not null)
            {
                throw new UsageException("--card records a leave-one-source-out table: give it with --leave-one-source-out");
            }

            var files = parse.GetValue(data) is { Length: > 0 } given ? given : throw new UsageException("give --data FILE.jsonl (repeatable), or --leave-one-source-out");
            var rows = files.SelectMany(Read).ToList();
            if (parse.GetValue(padWith) is { } padFile)
            {
                rows = Padded(rows, padFile, parse.GetValue(padChars));
            }

            if (parse.GetValue(gateway))
            {
                return GatewayEval.Run(rows, parse.GetValue(models) ?? ModelScorers.DefaultModelDirectory(), ChannelNames.Parse(parse.GetValue(channel)!), parse.GetValue(concurrency));
            }

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

    /// <summary>A --data file, or its rows of some sources as in a training recipe's entry (the
    /// filter then names the rows' file in the tables).</summary>
    private static List<LabeledText> Read(string entry)
    {
        var hash = entry.IndexOf('#', StringComparison.Ordinal);
        var path = hash < 0 ? entry : entry[..hash];
        if (!File.Exists(path))
        {
            throw new UsageException($"no such file: {path}");
        }

        try
        {
            var rows = TrainingData.ReadEntry(string.Empty, entry);
            return hash < 0 ? rows : [.. rows.Select(r => r with { File = r.File + entry[hash..] })];
        }
        catch (InvalidDataException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>The rows padded with <paramref name="padFile"/>'s prompts, their file named "+padded" in the tables.</summary>
    private static List<LabeledText> Padded(List<LabeledText> rows, string padFile, int chars)
    {
        try
        {
            return [.. PaddedTexts.Surround(rows, PaddedTexts.PaddingOf(Read(padFile)), chars).Select(r => r with { File = r.File + "+padded" })];
        }
        catch (InvalidDataException e)
        {
            throw new UsageException($"--pad-with {padFile}: {e.Message}");
        }
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
