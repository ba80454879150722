using System.Globalization;
using Guardrail.Detection.Detectors;
using Guardrail.Detection.Training;

namespace Guardrail.Cli.Commands;

/// <summary>
/// guardrailctl eval --leave-one-source-out: one fold per source the recipe trains on (that source
/// left out), one model for the sources it never trains on, each fold trained by the same trainer
/// as the shipped model and scored through ONNX Runtime by the serving code. Prints one line per
/// source and the pooled lines the targets are stated in.
/// </summary>
internal static class LeaveOneSourceOutEval
{
    public static int Run(string model, string dataDirectory, Action<string> progress)
    {
        if (!Directory.Exists(dataDirectory))
        {
            throw new UsageException($"no training data at {dataDirectory} (give --data-dir, the folder holding set1_...)");
        }

        var sources = model == "injection" ? TrainingRecipe.InjectionSources(dataDirectory) : TrainingRecipe.SuffixSources(dataDirectory);
        var folds = Path.Combine(Path.GetTempPath(), "guardrail-loso-" + Guid.NewGuid().ToString("N"));
        try
        {
            var fold = 0;
            var results = LeaveOneSourceOut.Run(dataDirectory, sources, entries =>
            {
                var (onnx, card) = model == "injection"
                    ? InjectionTrainer.Train(dataDirectory, entries, TrainingRecipe.PromptCalibration, "loso", new InjectionTrainingSettings(), progress)
                    : SuffixTrainer.Train(dataDirectory, entries, TrainingRecipe.PromptCalibration, "loso", new SuffixTrainingSettings(), progress);
                var directory = Directory.CreateDirectory(Path.Combine(folds, (++fold).ToString(CultureInfo.InvariantCulture))).FullName;
                var file = model == "injection" ? MlDetectors.InjectionModelFile : MlDetectors.SuffixModelFile;
                File.WriteAllBytes(Path.Combine(directory, file + ".onnx"), onnx);
                File.WriteAllText(Path.Combine(directory, file + ".card.json"), card.ToJson());
                return ModelScorers.Load(model, directory);
            }, progress);
            Print(model, results);
            return 0;
        }
        finally
        {
            if (Directory.Exists(folds))
            {
                Directory.Delete(folds, recursive: true);
            }
        }
    }

    private static void Print(string model, List<SourceResult> results)
    {
        static string P(double v) => double.IsNaN(v) ? "-" : (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
        Console.WriteLine($"{model} model, leave one source out (a source the recipe trains on is scored by a model trained without it):");
        Table.Print(
            ["SOURCE", "KIND", "RECIPE", "POS", "NEG", "AUC", "TPR@1%FPR", "TPR@0.1%FPR", "POS FLAGGED", "NEG>1%PT", "NEG FLAGGED"],
            results.Select(r => new[]
            {
                r.Source.Entry, r.Source.Kind.ToString().ToLowerInvariant(), r.Source.Trained ? "trains" : r.Source.Calibrates ? "calibrates" : "held out",
                r.Positives.ToString(CultureInfo.InvariantCulture), r.Negatives.ToString(CultureInfo.InvariantCulture),
                double.IsNaN(r.Auc) ? "-" : r.Auc.ToString("0.000", CultureInfo.InvariantCulture),
                r.Positives > 0 ? P(r.TprAt1PctFpr) : "-", r.Positives > 0 ? P(r.TprAt01PctFpr) : "-", r.Positives > 0 ? P(r.PositivesFlagged) : "-",
                r.Negatives > 0 ? P(r.NegativesAbove1PctPoint) : "-", r.Negatives > 0 ? P(r.NegativesFlagged) : "-",
            }));
        Console.WriteLine();
        foreach (var kind in new[] { SourceKind.Prompts, SourceKind.Documents })
        {
            var attacks = results.Where(r => r.Positives > 0 && (kind == SourceKind.Documents) == (r.Source.Kind == SourceKind.Documents)).ToList();
            var positives = attacks.Sum(r => r.Positives);
            if (positives > 0)
            {
                Console.WriteLine($"{(kind == SourceKind.Documents ? "document" : "prompt")} attacks, pooled over {attacks.Count} sources: "
                    + $"TPR {P(attacks.Sum(r => r.CaughtAt1Pct) / (double)positives)} at 1 % FPR, {P(attacks.Sum(r => r.CaughtAt01Pct) / (double)positives)} at 0.1 % ({positives} attacks)");
            }
        }

        foreach (var kind in new[] { SourceKind.Prompts, SourceKind.LookAlikes, SourceKind.Documents })
        {
            var benign = results.Where(r => r.Source.Kind == kind && r.Negatives > 0 && !r.Source.Calibrates).ToList();
            var negatives = benign.Sum(r => r.Negatives);
            if (negatives > 0)
            {
                Console.WriteLine($"{kind.ToString().ToLowerInvariant()}, benign rows flagged at the model's flag point: "
                    + $"{P(benign.Sum(r => r.NegativesFlagged * r.Negatives) / negatives)} of {negatives} over {benign.Count} sources");
            }
        }
    }
}
