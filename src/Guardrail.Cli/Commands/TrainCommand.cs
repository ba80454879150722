using System.CommandLine;
using Guardrail.Detection.Detectors;
using Guardrail.Detection.Models;
using Guardrail.Detection.Training;

namespace Guardrail.Cli.Commands;

/// <summary>
/// guardrailctl train: trains the shipped models from ../shared/data by the recipe, writes the
/// .onnx files and model cards, then evaluates each through ONNX Runtime on its held-out files and
/// records those numbers in the card.
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "the training data (the folder holding set1_...)", DefaultValueFactory = _ => Path.Combine("..", "shared", "data", "train") };
        var output = new Option<string>("--out") { Description = "where the .onnx files and cards go", DefaultValueFactory = _ => "models" };
        var version = new Option<string>("--version") { Description = "the models' version", DefaultValueFactory = _ => "3.0.0" };
        var model = new Option<string>("--model") { Description = "which model to train; segments: only (re)set the document-injection detector's points on the injection model in --out", DefaultValueFactory = _ => "all" };
        model.AcceptOnlyFromAmong("all", "injection", "suffix", "segments");
        var padded = CliOptions.Int("--padded-per-class", new InjectionTrainingSettings().PaddedPerClass, "injection model: synthesised training texts per class, a short training text padded with benign training prompts", minimum: 0);
        var seed = CliOptions.Int("--seed", new InjectionTrainingSettings().Seed, "the training seed of both models (the shipped models' is the default)", minimum: 0);
        var command = new Command("train", "train the ML detectors, write .onnx files and model cards, evaluate each on held-out files") { dataDir, output, version, model, padded, seed };
        command.SetAction(parse => TerminalProgress.Run("train", quiet: false, progress =>
            Run(parse.GetValue(dataDir)!, parse.GetValue(output)!, parse.GetValue(version)!, parse.GetValue(model)!, new InjectionTrainingSettings { PaddedPerClass = parse.GetValue(padded), Seed = parse.GetValue(seed) }, new SuffixTrainingSettings { Seed = parse.GetValue(seed) }, progress)));
        return command;
    }

    private static int Run(string data, string output, string version, string which, InjectionTrainingSettings injection, SuffixTrainingSettings suffix, Action<string> progress)
    {
        if (!Directory.Exists(data))
        {
            throw new UsageException($"no training data at {data} (give --data-dir, the folder holding set1_... to set4_...)");
        }

        Directory.CreateDirectory(output);
        if (which is "all" or "injection")
        {
            var (onnx, card) = InjectionTrainer.Train(data, version, injection, progress);
            Save(output, MlDetectors.InjectionModelFile, ".onnx", onnx, card, "injection", data, TrainingRecipe.InjectionHeldOut, TrainingRecipe.LookAlikeFiles);
        }

        if (which is "all" or "injection" or "segments")
        {
            CalibrateSegments(output, data);
        }

        if (which is "all" or "suffix")
        {
            var (onnx, card) = SuffixTrainer.Train(data, version, suffix, progress);
            Save(output, MlDetectors.SuffixModelFile, ".onnx", onnx, card, "suffix", data, TrainingRecipe.SuffixHeldOut, []);
        }

        return 0;
    }

    /// <summary>Sets the document-injection detector's points on the injection model in
    /// <paramref name="output"/> (its card gains them), then prints what that detector flags on the
    /// held-out document files, through the serving code.</summary>
    private static void CalibrateSegments(string output, string data)
    {
        var cardPath = Path.Combine(output, MlDetectors.InjectionModelFile + ".card.json");
        var loaded = MlDetectors.Load(new DetectionOptions { ModelDirectory = output, Encoder = "off" }, new Onnx.OnnxRuntimeOptions());
        if (loaded.Models[0] is not WindowClassifierDetector injection
            || injection.ReadingSentences(MlDetectors.DocumentInjection, new ScoreCalibration(0, 1)) is not WindowClassifierDetector sentences)
        {
            throw new UsageException($"cannot set segment points on {loaded.Models[0].Detector.Model}@{loaded.Models[0].Detector.Version}: {loaded.Models[0].Detector.UnavailableReason ?? "not a window classifier over word n-grams"}");
        }

        var (points, metrics) = DocumentSegmentCalibration.Set(data, texts => sentences.RawScores(texts));
        var card = ModelCard.Read(cardPath);
        File.WriteAllText(cardPath, (card with
        {
            SegmentCalibration = points,
            SegmentCalibrationFiles = DocumentSegmentCalibration.Files,
            Metrics = new Dictionary<string, double>(card.Metrics.Where(m => !metrics.ContainsKey(m.Key))).Concat(metrics).ToDictionary(),
        }).ToJson());
        Console.WriteLine($"document-injection points: flag {points.FlagRaw:0.###}, block {points.BlockRaw:0.###} (raw), {metrics["segment_calibration_flagged"]:P2} of {metrics["segment_calibration_documents"]} clean documents flagged");
        var heldOut = TrainingRecipe.InjectionHeldOut.Where(e => e.StartsWith("set4_", StringComparison.Ordinal)).SelectMany(e => TrainingData.ReadEntry(data, e)).ToList();
        var calibrated = injection.ReadingSentences(MlDetectors.DocumentInjection, points); // as a gateway will serve it with these points, without loading the models again
        var report = Evaluation.Run(heldOut, texts => [.. calibrated.ScoreBatch(texts).Select(s => s.Score)], new HashSet<string>());
        EvaluationTable.Print($"{card.Name}@{card.Version} sentence by sentence (document-injection), held-out documents:", report);
    }

    /// <summary>Writes the model (<paramref name="file"/> + <paramref name="extension"/>) and its card,
    /// then evaluates it through the serving code on its held-out files and records that in the card.</summary>
    internal static void Save(string output, string file, string extension, byte[] onnx, ModelCard card, string model, string data, string[] heldOut, string[] lookAlikes)
    {
        File.WriteAllBytes(Path.Combine(output, file + extension), onnx);
        var cardPath = Path.Combine(output, file + ".card.json");
        File.WriteAllText(cardPath, card.ToJson());
        var rows = heldOut.SelectMany(e => TrainingData.ReadEntry(data, e)).ToList();
        var report = Evaluation.Run(rows, ModelScorers.Load(model, output), lookAlikes.Select(e => Path.GetFileNameWithoutExtension(TrainingData.EntryFile(e))).OfType<string>().ToHashSet());
        EvaluationTable.Print($"{card.Name}@{card.Version}, held-out files (never trained on):", report);
        var overall = report.Rows[^1];
        var metrics = new Dictionary<string, double>(card.Metrics)
        {
            ["heldout_auc"] = overall.Auc,
            ["heldout_tpr_at_1pct_fpr"] = overall.TprAt1PctFpr,
            ["heldout_tpr_at_0_1pct_fpr"] = overall.TprAt01PctFpr,
            ["heldout_negatives_flagged"] = overall.NegativesFlagged,
            ["heldout_positives_flagged"] = overall.PositivesFlagged,
        };
        if (report.LookAlikes > 0)
        {
            metrics["heldout_lookalikes_flagged"] = report.LookAlikeFpr;
        }

        File.WriteAllText(cardPath, (card with { Metrics = metrics }).ToJson());
        Console.WriteLine($"wrote {Path.Combine(output, file)}{extension} ({onnx.Length / 1024} KiB) and its card");
    }
}
