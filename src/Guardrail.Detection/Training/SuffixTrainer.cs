using Guardrail.Detection.Features;
using Guardrail.Detection.Models;

namespace Guardrail.Detection.Training;

public sealed record SuffixTrainingSettings(
    int Buckets = 1 << 16,
    int MaxFeatures = 512,
    int WindowChars = 64,
    int StrideChars = 32,
    int SyntheticSuffixes = 4000,
    int Dimensions = 16,
    int Hidden = 16,
    int Epochs = 3,
    float LearningRate = 0.1f,
    int Seed = 20261121,
    int ValidationPercent = 10);

/// <summary>
/// Trains the adversarial-suffix detector: windows lying inside optimised suffixes (the real GCG
/// suffixes of the training file, PoCo-GCG, and synthetic ones) against every window of the benign
/// texts. A tenth of the benign texts and of the real suffixes (by a hash of the text) is kept aside
/// to calibrate. Held out: the JailbreakBench GCG suffixes, a different attack run, and benign sets
/// the model never saw.
/// </summary>
public static class SuffixTrainer
{
    public const string ModelName = "guardrail-adversarial-suffix";

    private static readonly ModelDescription Description = new(
        ModelName, "adversarial_suffix", "hashed case-kept character 2-4-grams and character-shape 3-6-grams -> embedding bag -> MLP -> logit, max over 64-character windows", TrainingRecipe.SuffixHeldOut);

    /// <summary>Trains from the recipe's entries under <paramref name="dataDirectory"/>.</summary>
    public static (byte[] Onnx, ModelCard Card) Train(string dataDirectory, string version, SuffixTrainingSettings s, Action<string> log)
        => Train(dataDirectory, TrainingRecipe.SuffixTraining, version, s, log);

    public static (byte[] Onnx, ModelCard Card) Train(string dataDirectory, IReadOnlyList<string> entries, string version, SuffixTrainingSettings s, Action<string> log)
    {
        var rows = entries.SelectMany(e => TrainingData.ReadEntry(dataDirectory, e)).ToList();
        var featurizer = new SuffixFeaturizer(s.Buckets, s.MaxFeatures, s.WindowChars, s.StrideChars);
        List<long[]> Windows(string text) => EmbeddingBagTraining.Windows(featurizer, text);
        var benign = rows.Where(r => r.Label == 0).Select(r => r.Text).ToList();
        var attacks = rows.Where(r => r.Label == 1 && r.Suffix is { Length: > 0 }).ToList();
        var synthetic = SyntheticSuffixes.Generate(benign, s.SyntheticSuffixes, new Random(s.Seed));

        var training = new List<(long[] Ids, float Label)>();
        var validation = new List<(List<long[]> Windows, int Label)>();
        foreach (var text in benign)
        {
            if (EmbeddingBagTraining.IsValidation(text, s.ValidationPercent))
            {
                validation.Add((Windows(text), 0));
            }
            else
            {
                training.AddRange(Windows(text).Select(w => (w, 0f)));
            }
        }

        foreach (var attack in attacks)
        {
            if (EmbeddingBagTraining.IsValidation(attack.Text, s.ValidationPercent))
            {
                validation.Add((Windows(attack.Text), 1));
            }
            else
            {
                training.AddRange(Windows(attack.Suffix!).Select(w => (w, 1f)));
            }
        }

        training.AddRange(synthetic.SelectMany(Windows).Select(w => (w, 1f)));
        log($"suffix: {benign.Count} benign texts, {attacks.Count} real and {synthetic.Count} synthetic suffixes from {entries.Count} entries, {training.Count} training windows, {validation.Count} validation texts; e.g. synthetic \"{synthetic[0]}\"");
        var settings = new NetworkSettings(s.Dimensions, s.Hidden, s.Epochs, s.LearningRate, s.Seed);
        var network = EmbeddingBagTraining.Fit("suffix", training, s.Buckets, settings, log);
        var (calibration, metrics) = EmbeddingBagTraining.Validate(network, validation);
        var hyperparameters = EmbeddingBagTraining.Hyperparameters(s.Buckets, s.MaxFeatures, s.WindowChars, s.StrideChars, settings);
        hyperparameters["synthetic_suffixes"] = s.SyntheticSuffixes;
        return EmbeddingBagTraining.Package(Description, network, s.MaxFeatures, version, dataDirectory, entries, calibration, metrics, hyperparameters);
    }
}
