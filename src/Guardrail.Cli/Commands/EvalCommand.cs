using Guardrail.Detection.Training;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl eval --data FILE.jsonl [...]: scores labelled texts with a shipped model.</summary>
public static class EvalCommand
{
    public static int Run(CommandArgs args)
    {
        args.OnlyAllow("data", "model", "models", "lookalike", "errors");
        var files = args.Values("data");
        if (files.Count == 0)
        {
            throw new UsageException("eval needs --data FILE.jsonl (fields text and label; repeat for more files)");
        }

        var model = args.Value("model") ?? "injection";
        if (model is not ("injection" or "suffix"))
        {
            throw new UsageException("--model must be injection or suffix");
        }

        var rows = files.SelectMany(f => File.Exists(f) ? TrainingData.Read(f) : throw new UsageException($"no such file: {f}")).ToList();
        var score = ModelScorers.Load(model, args.Value("models") ?? ModelScorers.DefaultModelDirectory());
        var lookAlikes = args.Values("lookalike").Select(Path.GetFileNameWithoutExtension).OfType<string>().ToHashSet();
        var report = Evaluation.Run(rows, score, lookAlikes);
        EvaluationTable.Print($"{model} model on {rows.Count} texts from {files.Count} files", report);
        PrintErrors(rows, report.Scores, args.Int("errors", 0));
        return 0;
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
