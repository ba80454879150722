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
/// Trains the injection classifier from the recipe's entries: every window of every text is a
/// training item (labelled as its text), and a tenth of the rows (chosen by a hash of the text, not
/// by order) is kept aside to calibrate the score.
/// </summary>
public static class InjectionTrainer
{
    public const string ModelName = "guardrail-injection-classifier";

    private static readonly ModelDescription Description = new(
        ModelName, "injection_classifier", "hashed word and character n-grams -> embedding bag -> MLP -> logit, max over 1,024-character windows", TrainingRecipe.InjectionHeldOut);

    /// <summary>Trains from the recipe's entries under <paramref name="dataDirectory"/>.</summary>
    public static (byte[] Onnx, ModelCard Card) Train(string dataDirectory, string version, InjectionTrainingSettings s, Action<string> log)
        => Train(dataDirectory, TrainingRecipe.InjectionTraining, version, s, log);

    public static (byte[] Onnx, ModelCard Card) Train(string dataDirectory, IReadOnlyList<string> entries, string version, InjectionTrainingSettings s, Action<string> log)
    {
        var rows = entries.SelectMany(e => TrainingData.ReadEntry(dataDirectory, e)).ToList();
        var featurizer = new InjectionFeaturizer(s.Buckets, s.MaxFeatures, s.WindowChars, s.StrideChars);
        var training = new List<(long[] Ids, float Label)>();
        var validation = new List<(List<long[]> Windows, int Label)>();
        foreach (var row in rows)
        {
            var windows = EmbeddingBagTraining.Windows(featurizer, row.Text);
            if (EmbeddingBagTraining.IsValidation(row.Text, s.ValidationPercent))
            {
                validation.Add((windows, row.Label));
            }
            else
            {
                training.AddRange(windows.Select(w => (w, (float)row.Label)));
            }
        }

        log($"injection: {rows.Count} texts from {entries.Count} entries, {training.Count} training windows, {validation.Count} validation texts");
        var settings = new NetworkSettings(s.Dimensions, s.Hidden, s.Epochs, s.LearningRate, s.Seed);
        var network = EmbeddingBagTraining.Fit("injection", training, s.Buckets, settings, log);
        var (calibration, metrics) = EmbeddingBagTraining.Validate(network, validation);
        return EmbeddingBagTraining.Package(
            Description, network, featurizer, version, dataDirectory, entries, calibration, metrics,
            EmbeddingBagTraining.Hyperparameters(s.Buckets, s.MaxFeatures, s.WindowChars, s.StrideChars, settings));
    }
}
