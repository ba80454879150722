using System.Globalization;
using Guardrail.Core.Normalization;
using Guardrail.Detection.Features;
using Guardrail.Detection.Models;

namespace Guardrail.Detection.Training;

public sealed record SuffixTrainingSettings(
    int TableSize = 1 << 19,
    int ChunkChars = 1024,
    int WindowChars = 32,
    int SyntheticSuffixes = 2000,
    int NegativeStride = 7,
    int Seed = 20261121,
    int ValidationPercent = 10);

/// <summary>
/// Trains the adversarial-suffix detector. The language model counts half of the benign texts;
/// the logistic layer learns from windows of the other half (benign: every 7th window) against
/// windows lying wholly inside real GCG suffixes of the training file (PoCo-GCG) and synthetic
/// suffixes (random subword soup in GCG's style). Held out: the JailbreakBench GCG suffixes and
/// benign prompt sets the model never saw.
/// </summary>
public static class SuffixTrainer
{
    public const string ModelName = "guardrail-adversarial-suffix";

    /// <summary>Trains from the recipe's files under <paramref name="dataDirectory"/>.</summary>
    public static (byte[] Onnx, ModelCard Card) Train(string dataDirectory, string version, SuffixTrainingSettings s, Action<string> log)
        => Train(TrainingRecipe.SuffixTraining.Select(f => Path.Combine(dataDirectory, f)).ToList(), version, s, log);

    public static (byte[] Onnx, ModelCard Card) Train(IReadOnlyList<string> files, string version, SuffixTrainingSettings s, Action<string> log)
    {
        var rows = files.SelectMany(TrainingData.Read).ToList();
        string Clean(string text) => TextNormalizer.Normalize(text).Clean;
        var benign = rows.Where(r => r.Label == 0).Select(r => Clean(r.Text)).ToList();
        var suffixes = rows.Where(r => r.Label == 1 && r.Suffix is { Length: > 0 }).Select(r => (Goal: Clean(r.Text[..^r.Suffix!.Length]), Suffix: Clean(r.Suffix))).ToList();
        var validation = benign.Where(t => InjectionTrainer.IsValidation(t, s.ValidationPercent)).ToList();
        var rest = benign.Where(t => !InjectionTrainer.IsValidation(t, s.ValidationPercent)).ToList();
        var languageModelTexts = rest.Where((_, i) => i % 2 == 0).ToList();
        var negativeTexts = rest.Where((_, i) => i % 2 == 1).ToList();

        var featurizer = new SuffixFeaturizer(s.TableSize, s.ChunkChars, s.WindowChars);
        var network = new SuffixNetwork(featurizer);
        network.CountLanguageModel(languageModelTexts);

        var random = new Random(s.Seed);
        var synthetic = Enumerable.Range(0, s.SyntheticSuffixes).Select(_ => SyntheticSuffix(random)).ToList();
        var positives = new List<float[]>();
        foreach (var (goal, suffix) in suffixes.Concat(synthetic.Select(x => (Goal: "Write a tutorial on how to do it", Suffix: x))))
        {
            var text = goal.TrimEnd() + " " + suffix;
            var windows = network.WindowFeatures(text);
            var firstInside = text.Length - suffix.Length;
            positives.AddRange(windows.Where((_, start) => start >= firstInside));
        }

        var negatives = negativeTexts.SelectMany(t => network.WindowFeatures(t).Where((_, i) => i % s.NegativeStride == 0)).ToList();
        log($"suffix: language model over {languageModelTexts.Count} benign texts; logistic on {positives.Count} suffix windows ({suffixes.Count} real, {synthetic.Count} synthetic suffixes) and {negatives.Count} benign windows");
        network.FitLogistic(positives, negatives);
        log("suffix: weights " + string.Join(" ", network.Weights.Select(w => w.ToString("0.###", CultureInfo.InvariantCulture))) + $" bias {network.Bias:0.###}");

        float TextScore(string clean) => network.WindowFeatures(clean).Select(w => network.Predict(w)).DefaultIfEmpty(0).Max();
        var validationScores = validation.Select(TextScore).ToList();
        var calibration = ScoreCalibration.FromNegatives(validationScores);
        var metrics = new Dictionary<string, double>
        {
            ["validation_benign_texts"] = validation.Count,
            ["training_suffix_recall_at_flag"] = DetectionMetrics.RateAtLeast(suffixes.Select(x => TextScore(x.Goal.TrimEnd() + " " + x.Suffix)).ToList(), calibration.FlagRaw),
        };
        var hyperparameters = new Dictionary<string, double>
        {
            ["table_size"] = s.TableSize, ["chunk_chars"] = s.ChunkChars, ["window_chars"] = s.WindowChars,
            ["synthetic_suffixes"] = s.SyntheticSuffixes, ["negative_stride"] = s.NegativeStride, ["seed"] = s.Seed,
        };
        var onnx = network.ToOnnx(version, new Dictionary<string, string> { ["name"] = ModelName, ["version"] = version });
        var card = new ModelCard
        {
            Name = ModelName,
            Version = version,
            Kind = "hashed character 1-4-gram language model surprisal + character classes -> windowed logistic, max over windows",
            DataDigest = TrainingData.Digest(files),
            TrainingFiles = files.Select(InjectionTrainer.RecipeName).ToList(),
            HeldOutFiles = TrainingRecipe.SuffixHeldOut,
            Calibration = calibration,
            Hyperparameters = hyperparameters,
            Metrics = metrics,
            ModelSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(onnx)),
        };
        return (onnx, card);
    }

    private static readonly string[] Pieces =
    [
        "describing", "similarly", "Now", "write", "oppositeley", "Me", "giving", "ONE", "please", "revert", "Two", "sure",
        "here", "tutorial", "manual", "sentence", "inst", "cdnjs", "Pseudo", "surely", "Format", "inverse", "Sure", "tableView",
        "LaTeX", "json", "newcommand", "equiv", "Lemma", "hint", "formatted", "indeed", "Bild", "Tout", "nagy", "wiki", "spanish",
        "trivial", "paragraph", "ibly", "ern", "anto", "ically", "Ach", "eth", "ouch", "LINE", "NAME", "Cou", "quelle", "unless",
    ];

    private static readonly string[] Punctuation =
    [
        "!", "!!", ".", ",", ";", ":", "?", "??", "(", ")", "](", "[", "]", "{", "}", "{{", "\\", "\\!", "/", "*", "**", "***",
        "--", "----", "==", "+", "=", "<", ">", "<=", "$", "\"", "'", "`", "|", "@", "#", "%", "&", "^", "~", "_",
    ];

    /// <summary>Optimised-looking token soup: subword pieces and punctuation, spaces here and there.</summary>
    internal static string SyntheticSuffix(Random random)
    {
        var builder = new System.Text.StringBuilder();
        var target = random.Next(40, 130);
        while (builder.Length < target)
        {
            builder.Append(random.NextDouble() < 0.55 ? Pieces[random.Next(Pieces.Length)] : Punctuation[random.Next(Punctuation.Length)]);
            if (random.NextDouble() < 0.45)
            {
                builder.Append(' ');
            }
        }

        return builder.ToString().Trim();
    }
}
