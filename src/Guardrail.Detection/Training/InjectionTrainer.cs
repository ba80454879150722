using System.Globalization;
using Guardrail.Detection.Features;
using Guardrail.Detection.Models;

namespace Guardrail.Detection.Training;

public sealed record InjectionTrainingSettings(
    int Buckets = 1 << 16,
    int MaxFeatures = 1024,
    int WindowChars = 1024,
    int StrideChars = 768,
    int Dimensions = 16,
    int Hidden = 16,
    int Epochs = 8,
    float LearningRate = 0.3f,
    int Seed = 20261121,
    int ValidationPercent = 10);

/// <summary>
/// Trains the injection classifier from the recipe's files: every window of every text is a
/// training item (labelled as its text), classes are balanced by weight, SGD runs single-threaded
/// with a fixed seed (so the same data gives the same model, byte for byte), and a tenth of the rows
/// (chosen by a hash of the text, not by order) is kept aside to calibrate the score.
/// </summary>
public static class InjectionTrainer
{
    public const string ModelName = "guardrail-injection-classifier";

    /// <summary>Trains from the recipe's files under <paramref name="dataDirectory"/>.</summary>
    public static (byte[] Onnx, ModelCard Card) Train(string dataDirectory, string version, InjectionTrainingSettings s, Action<string> log)
        => Train(TrainingRecipe.InjectionTraining.Select(f => Path.Combine(dataDirectory, f)).ToList(), version, s, log);

    public static (byte[] Onnx, ModelCard Card) Train(IReadOnlyList<string> files, string version, InjectionTrainingSettings s, Action<string> log)
    {
        var rows = files.SelectMany(TrainingData.Read).ToList();
        var featurizer = new InjectionFeaturizer(s.Buckets, s.MaxFeatures, s.WindowChars, s.StrideChars);
        var training = new List<(long[] Ids, float Label)>();
        var validation = new List<(List<long[]> Windows, int Label)>();
        foreach (var row in rows)
        {
            var windows = featurizer.FeaturizeText(row.Text).Select(w => w.Ids.Where(id => id != 0).ToArray()).ToList();
            if (IsValidation(row.Text, s.ValidationPercent))
            {
                validation.Add((windows, row.Label));
            }
            else
            {
                training.AddRange(windows.Select(w => (w, (float)row.Label)));
            }
        }

        var positives = training.Count(t => t.Label == 1);
        var negatives = training.Count - positives;
        log($"injection: {rows.Count} texts from {files.Count} files, {training.Count} training windows ({positives} attack, {negatives} benign), {validation.Count} validation texts");
        var network = new InjectionNetwork(s.Buckets, s.Dimensions, s.Hidden, s.Seed);
        var random = new Random(s.Seed);
        var order = Enumerable.Range(0, training.Count).ToArray();
        var steps = (long)s.Epochs * training.Count;
        long step = 0;
        for (var epoch = 1; epoch <= s.Epochs; epoch++)
        {
            random.Shuffle(order);
            double loss = 0;
            foreach (var i in order)
            {
                var (ids, label) = training[i];
                var weight = label == 1 ? training.Count / (2f * positives) : training.Count / (2f * negatives);
                var rate = s.LearningRate * (1 - (step++ / (float)steps));
                loss += network.Train(ids, label, weight, rate);
            }

            log(string.Create(CultureInfo.InvariantCulture, $"injection: epoch {epoch}/{s.Epochs} mean loss {loss / training.Count:0.0000}"));
        }

        var validationScores = validation.Select(v => (Score: v.Windows.Max(w => network.Predict(w)), v.Label)).ToList();
        var valPositives = validationScores.Where(v => v.Label == 1).Select(v => v.Score).ToList();
        var valNegatives = validationScores.Where(v => v.Label == 0).Select(v => v.Score).ToList();
        var calibration = ScoreCalibration.FromNegatives(valNegatives);
        var metrics = new Dictionary<string, double>
        {
            ["validation_auc"] = DetectionMetrics.Auc(valPositives, valNegatives),
            ["validation_tpr_at_1pct_fpr"] = DetectionMetrics.TprAtFpr(valPositives, valNegatives, 0.01),
        };
        var hyperparameters = new Dictionary<string, double>
        {
            ["buckets"] = s.Buckets, ["max_features"] = s.MaxFeatures, ["window_chars"] = s.WindowChars, ["stride_chars"] = s.StrideChars,
            ["dimensions"] = s.Dimensions, ["hidden"] = s.Hidden, ["epochs"] = s.Epochs, ["learning_rate"] = s.LearningRate, ["seed"] = s.Seed,
        };
        var onnx = network.ToOnnx(s.MaxFeatures, version, new Dictionary<string, string> { ["name"] = ModelName, ["version"] = version });
        var card = new ModelCard
        {
            Name = ModelName,
            Version = version,
            Kind = "hashed word and character n-grams -> embedding bag -> MLP -> sigmoid",
            DataDigest = TrainingData.Digest(files),
            TrainingFiles = files.Select(RecipeName).ToList(),
            HeldOutFiles = TrainingRecipe.InjectionHeldOut,
            Calibration = calibration,
            Hyperparameters = hyperparameters,
            Metrics = metrics,
            ModelSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(onnx)),
        };
        return (onnx, card);
    }

    /// <summary>"folder/file.jsonl", as the recipe names files.</summary>
    internal static string RecipeName(string path) => $"{Path.GetFileName(Path.GetDirectoryName(path))}/{Path.GetFileName(path)}";

    /// <summary>Deterministic split by a hash of the text: the same rows validate on every run and machine.</summary>
    internal static bool IsValidation(string text, int percent)
        => (FeatureHash.Add(FeatureHash.Start('v'), text) % 100) < (ulong)percent;
}
