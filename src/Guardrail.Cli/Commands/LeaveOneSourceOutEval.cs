using System.Globalization;
using Guardrail.Detection.Detectors;
using Guardrail.Detection.Models;
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
    /// <param name="cardPath">A model card to record the table in (its <c>leave_one_source_out</c>);
    /// null: print only. It must be the model's own card, trained from the same data and settings
    /// as the folds, checked before the first fold and after it.</param>
    public static int Run(string model, string dataDirectory, string? cardPath, Action<string> progress)
    {
        if (!Directory.Exists(dataDirectory))
        {
            throw new UsageException($"no training data at {dataDirectory} (give --data-dir, the folder holding set1_...)");
        }

        var card = cardPath is null ? null : TargetCard(model, dataDirectory, cardPath);

        var sources = model == "injection" ? TrainingRecipe.InjectionSources(dataDirectory) : TrainingRecipe.SuffixSources(dataDirectory);
        var folds = Path.Combine(Path.GetTempPath(), "guardrail-loso-" + Guid.NewGuid().ToString("N"));
        try
        {
            var fold = 0;
            var results = LeaveOneSourceOut.Run(dataDirectory, sources, entries =>
            {
                var (onnx, trained) = model == "injection"
                    ? InjectionTrainer.Train(dataDirectory, entries, TrainingRecipe.PromptCalibration, "loso", new InjectionTrainingSettings(), progress)
                    : SuffixTrainer.Train(dataDirectory, entries, TrainingRecipe.PromptCalibration, "loso", new SuffixTrainingSettings(), progress);
                if (card is not null && !SameSettings(card.Hyperparameters, trained.Hyperparameters))
                {
                    throw new UsageException($"{cardPath} was trained with other settings than this run's folds ({Settings(card.Hyperparameters)} against {Settings(trained.Hyperparameters)}): its table would describe another recipe");
                }

                var directory = Directory.CreateDirectory(Path.Combine(folds, (++fold).ToString(CultureInfo.InvariantCulture))).FullName;
                var file = model == "injection" ? MlDetectors.InjectionModelFile : MlDetectors.SuffixModelFile;
                File.WriteAllBytes(Path.Combine(directory, file + ".onnx"), onnx);
                File.WriteAllText(Path.Combine(directory, file + ".card.json"), trained.ToJson());
                return ModelScorers.Load(model, directory);
            }, progress);
            Print(model, results);
            if (card is not null)
            {
                File.WriteAllText(cardPath!, (card with { LeaveOneSourceOut = LeaveOneSourceOut.Table(results, card.DataDigest, DateTimeOffset.UtcNow) }).ToJson());
                Console.WriteLine($"recorded the table in {cardPath} (leave_one_source_out)");
            }

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

    /// <summary>The card to record in, refused before any fold trains unless it is this model's, from this recipe's data.</summary>
    private static ModelCard TargetCard(string model, string dataDirectory, string path)
    {
        ModelCard card;
        try
        {
            card = ModelCard.Read(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidDataException)
        {
            throw new UsageException($"--card {path}: cannot read a model card there: {e.Message}");
        }

        var (name, entries) = model == "injection"
            ? (InjectionTrainer.ModelName, TrainingRecipe.InjectionTraining)
            : (SuffixTrainer.ModelName, TrainingRecipe.SuffixTraining);
        if (card.Name != name)
        {
            throw new UsageException($"--card {path} is the card of {card.Name}, not of the {model} model ({name})");
        }

        string digest;
        try
        {
            digest = TrainingData.Digest(dataDirectory, entries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read the {model} recipe's training files under {dataDirectory}: {e.Message}");
        }

        if (card.DataDigest != digest)
        {
            throw new UsageException($"--card {path} was trained from other data (digest {card.DataDigest[..12]}…, this recipe's data {digest[..12]}…): retrain it first, or its table would describe other data");
        }

        return card;
    }

    private static bool SameSettings(IReadOnlyDictionary<string, double> a, IReadOnlyDictionary<string, double> b)
        => a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);

    private static string Settings(IReadOnlyDictionary<string, double> hyperparameters)
        => string.Join(", ", hyperparameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value}")));

    private static void Print(string model, List<SourceResult> results)
    {
        static string P(double v) => double.IsNaN(v) ? "-" : (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
        Console.WriteLine($"{model} model, leave one source out (a source the recipe trains on is scored by a model trained without it):");
        Table.Print(
            ["SOURCE", "KIND", "RECIPE", "POS", "NEG", "AUC", "TPR@1%FPR", "TPR@0.1%FPR", "POS FLAGGED", "NEG>1%PT", "NEG FLAGGED"],
            results.Select(r => new[]
            {
                r.Source.Entry, r.Source.Kind.ToString().ToLowerInvariant(), LeaveOneSourceOut.Recipe(r.Source),
                r.Positives.ToString(CultureInfo.InvariantCulture), r.Negatives.ToString(CultureInfo.InvariantCulture),
                double.IsNaN(r.Auc) ? "-" : r.Auc.ToString("0.000", CultureInfo.InvariantCulture),
                r.Positives > 0 ? P(r.TprAt1PctFpr) : "-", r.Positives > 0 ? P(r.TprAt01PctFpr) : "-", r.Positives > 0 ? P(r.PositivesFlagged) : "-",
                r.Negatives > 0 ? P(r.NegativesAbove1PctPoint) : "-", r.Negatives > 0 ? P(r.NegativesFlagged) : "-",
            }));
        Console.WriteLine();
        var pooled = LeaveOneSourceOut.Pooled(results);
        foreach (var kind in new[] { "prompt", "document" })
        {
            if (pooled.TryGetValue($"{kind}_attacks", out var attacks))
            {
                Console.WriteLine($"{kind} attacks, pooled over {pooled[$"{kind}_attack_sources"]} sources: "
                    + $"TPR {P(pooled[$"{kind}_attacks_tpr_at_1pct_fpr"])} at 1 % FPR, {P(pooled[$"{kind}_attacks_tpr_at_0_1pct_fpr"])} at 0.1 % ({attacks} attacks)");
            }
        }

        foreach (var kind in new[] { "prompts", "lookalikes", "documents" })
        {
            if (pooled.TryGetValue($"{kind}_benign", out var negatives))
            {
                Console.WriteLine($"{kind}, benign rows flagged at the model's flag point: {P(pooled[$"{kind}_benign_flagged"])} of {negatives} over {pooled[$"{kind}_benign_sources"]} sources");
            }
        }
    }
}
