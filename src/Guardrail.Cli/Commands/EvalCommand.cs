using Guardrail.Detection.Training;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl eval --data FILE.jsonl [...]: scores labelled texts with a shipped model.</summary>
public static class EvalCommand
{
    public static int Run(CommandArgs args)
    {
        args.OnlyAllow("data", "model", "models", "lookalike");
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
        EvaluationTable.Print($"{model} model on {rows.Count} texts from {files.Count} files", Evaluation.Run(rows, score, lookAlikes));
        return 0;
    }
}
