using Guardrail.Core.Normalization;
using Guardrail.Detection.Features;
using Guardrail.Detection.Models;

namespace Guardrail.Detection.Training;

public sealed record SuffixTrainingSettings(
    int Buckets = 1 << 16,
    int BlockChars = 32,
    int SuffixShiftChars = 8,
    int SyntheticSuffixes = 4000,
    int Dimensions = 16,
    int Hidden = 16,
    int Epochs = 3,
    float LearningRate = 0.1f,
    int Seed = 20261121);

/// <summary>
/// Trains the adversarial-suffix detector: windows lying inside optimised suffixes (the real GCG
/// suffixes of the training file, PoCo-GCG, and synthetic ones) against every window of the benign
/// texts. The flag and block points come from whole benign sources held aside
/// (<see cref="TrainingRecipe.PromptCalibration"/>), as the injection model's do. Held out: the JailbreakBench GCG suffixes, a different attack run, and benign sets
/// the model never saw.
/// </summary>
public static class SuffixTrainer
{
    public const string ModelName = "guardrail-adversarial-suffix";

    private static readonly ModelDescription Description = new(
        ModelName, "adversarial_suffix", "hashed case-kept character 2-4-grams and character-shape 3-6-grams -> embedding bag -> MLP -> logit, max over windows of two 32-character blocks aligned to the text's end", TrainingRecipe.SuffixHeldOut);

    /// <summary>Trains from the recipe's entries under <paramref name="dataDirectory"/>.</summary>
    public static (byte[] Onnx, ModelCard Card) Train(string dataDirectory, string version, SuffixTrainingSettings s, Action<string> log)
        => Train(dataDirectory, TrainingRecipe.SuffixTraining, TrainingRecipe.PromptCalibration, version, s, log);

    public static (byte[] Onnx, ModelCard Card) Train(string dataDirectory, IReadOnlyList<string> entries, CalibrationSources calibration, string version, SuffixTrainingSettings s, Action<string> log)
    {
        var rows = entries.SelectMany(e => TrainingData.ReadEntry(dataDirectory, e)).ToList();
        var featurizer = new SuffixFeaturizer(s.Buckets, s.BlockChars);
        List<long[]> Windows(string text) => EmbeddingBagTraining.Windows(featurizer, text);
        List<long[]> Shifted(string suffix) => ShiftedWindows(featurizer, suffix, s.SuffixShiftChars);
        var benign = rows.Where(r => r.Label == 0).Select(r => r.Text).ToList();
        var attacks = rows.Where(r => r.Label == 1 && r.Suffix is { Length: > 0 }).ToList();
        var synthetic = SyntheticSuffixes.Generate(benign, s.SyntheticSuffixes, new Random(s.Seed));

        var training = new List<(long[] Ids, float Label)>();
        training.AddRange(benign.SelectMany(Windows).Select(w => (w, 0f)));
        training.AddRange(attacks.SelectMany(a => Shifted(a.Suffix!)).Select(w => (w, 1f)));
        training.AddRange(synthetic.SelectMany(Shifted).Select(w => (w, 1f)));
        log($"suffix: {benign.Count} benign texts, {attacks.Count} real and {synthetic.Count} synthetic suffixes from {entries.Count} entries, {training.Count} training windows; e.g. synthetic \"{synthetic[0]}\"");
        var settings = new NetworkSettings(s.Dimensions, s.Hidden, s.Epochs, s.LearningRate, s.Seed);
        var network = EmbeddingBagTraining.Fit("suffix", training, s.Buckets, settings, log);
        var (points, metrics) = EmbeddingBagTraining.Calibrate(network, featurizer, dataDirectory, calibration);
        var hyperparameters = EmbeddingBagTraining.Hyperparameters(s.Buckets, featurizer.MaxFeatures, 2 * s.BlockChars, s.BlockChars, settings);
        hyperparameters["block_chars"] = s.BlockChars;
        hyperparameters["suffix_shift_chars"] = s.SuffixShiftChars;
        hyperparameters["synthetic_suffixes"] = s.SyntheticSuffixes;
        var synthesised = synthetic.Count == 0 ? null : new SynthesisedData(
            "synthetic suffixes in the style of GCG's token soup: word fragments, words in odd case, glued identifiers and punctuation clusters, joined with and without spaces (SyntheticSuffixes); attacks",
            "the words of the recipe's benign training rows", synthetic.Count);
        return EmbeddingBagTraining.Package(Description, network, featurizer, version, dataDirectory, entries, calibration, points, metrics, hyperparameters, synthesised);
    }

    /// <summary>
    /// A suffix's training windows: two blocks' width ending every <paramref name="shift"/>
    /// characters back from its end, not only where serving cuts blocks. Without these shifted
    /// copies the model learnt where the blocks of the few real suffixes fell (held-out TPR at 1 %
    /// FPR about 72 % with a shift of a whole block, 77 % with 8 characters).
    /// </summary>
    private static List<long[]> ShiftedWindows(SuffixFeaturizer featurizer, string suffix, int shift)
    {
        var view = featurizer.View(TextNormalizer.Normalize(suffix));
        var width = 2 * featurizer.BlockChars;
        var windows = new List<long[]>();
        var end = view.Length;
        do
        {
            var ids = new long[featurizer.MaxFeatures];
            windows.Add(ids[..featurizer.Featurize(view, Math.Max(0, end - width), end, ids)]);
            end -= shift;
        }
        while (end >= width);
        return windows;
    }
}
