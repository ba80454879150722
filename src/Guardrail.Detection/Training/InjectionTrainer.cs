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
    int PaddedPerClass = 3000);

/// <summary>
/// Trains the injection classifier from the recipe's entries: every window of every text is a
/// training item (labelled as its text). The flag and block points come from whole benign sources
/// held aside (<see cref="CalibrationSources"/>), each text scored by its best window: a tenth of
/// the training sources' rows calibrated 2.0.0, and that flag point flagged 6.7 % of everyday
/// prompts from other sources instead of 1 %.
/// </summary>
public static class InjectionTrainer
{
    public const string ModelName = "guardrail-injection-classifier";

    private static readonly ModelDescription Description = new(
        ModelName, "injection_classifier", "hashed word and character n-grams -> embedding bag -> MLP -> logit, max over 1,024-character windows", TrainingRecipe.InjectionHeldOut);

    /// <summary>Trains from the recipe's entries under <paramref name="dataDirectory"/>.</summary>
    public static (byte[] Onnx, ModelCard Card) Train(string dataDirectory, string version, InjectionTrainingSettings s, Action<string> log)
        => Train(dataDirectory, TrainingRecipe.InjectionTraining, TrainingRecipe.PromptCalibration, version, s, log);

    public static (byte[] Onnx, ModelCard Card) Train(string dataDirectory, IReadOnlyList<string> entries, CalibrationSources calibration, string version, InjectionTrainingSettings s, Action<string> log)
    {
        var rows = entries.SelectMany(e => TrainingData.ReadEntry(dataDirectory, e)).ToList();
        var padded = PaddedTexts.Generate(rows, s.PaddedPerClass, s.WindowChars, new Random(s.Seed));
        var featurizer = new InjectionFeaturizer(s.Buckets, s.MaxFeatures, s.WindowChars, s.StrideChars);
        var training = rows.Concat(padded).SelectMany(row => EmbeddingBagTraining.Windows(featurizer, row.Text).Select(w => (w, (float)row.Label))).ToList();
        log($"injection: {rows.Count} texts from {entries.Count} entries and {padded.Count} padded copies, {training.Count} training windows");
        var settings = new NetworkSettings(s.Dimensions, s.Hidden, s.Epochs, s.LearningRate, s.Seed);
        var network = EmbeddingBagTraining.Fit("injection", training, s.Buckets, settings, log);
        var (points, metrics) = EmbeddingBagTraining.Calibrate(network, featurizer, dataDirectory, calibration);
        var hyperparameters = EmbeddingBagTraining.Hyperparameters(s.Buckets, s.MaxFeatures, s.WindowChars, s.StrideChars, settings);
        if (s.PaddedPerClass > 0)
        {
            hyperparameters["padded_texts_per_class"] = s.PaddedPerClass;
        }

        var synthesised = padded.Count == 0 ? null : new SynthesisedData(
            "padded copies: a short training row (at most half a window) with a quarter to all of the rest of a window of benign prompts before it, after it or on both sides, labelled as the row; half attacks, half benign",
            "the recipe's training rows; the padding is their benign rows of 40-400 characters", padded.Count);
        return EmbeddingBagTraining.Package(Description, network, featurizer, version, dataDirectory, entries, calibration, points, metrics, hyperparameters, synthesised);
    }
}
