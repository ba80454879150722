using System.Globalization;
using Guardrail.Detection.Features;
using Guardrail.Detection.Models;

namespace Guardrail.Detection.Training;

/// <summary>The network's size and the SGD schedule, shared by both trainers.</summary>
public sealed record NetworkSettings(int Dimensions = 16, int Hidden = 16, int Epochs = 8, float LearningRate = 0.3f, int Seed = 20261121);

/// <summary>What a trainer says about its model; the rest of the card is derived from the run.</summary>
internal sealed record ModelDescription(string Name, string GraphName, string Kind, IReadOnlyList<string> HeldOutEntries);

/// <summary>
/// What both trainers share: SGD over featurised windows with the classes balanced by repeating
/// the rarer class's windows (weighting them instead multiplies the step size: with suffix windows
/// 30 times rarer than benign ones, SGD diverged), single-threaded with a fixed seed (the same data gives the same model, byte for byte); the
/// calibration on whole benign sources held aside; and the model file and card.
/// </summary>
internal static class EmbeddingBagTraining
{
    /// <summary>A text's windows as training items: the featuriser's rows without their 0 padding.</summary>
    public static List<long[]> Windows(IWindowFeaturizer featurizer, string text)
        => [.. featurizer.FeaturizeText(text).Select(w => w.Ids.Where(id => id != 0).ToArray())];

    public static EmbeddingBagNetwork Fit(string model, IReadOnlyList<(long[] Ids, float Label)> training, int buckets, NetworkSettings s, Action<string> log)
    {
        var positives = training.Count(t => t.Label == 1);
        var negatives = training.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new InvalidDataException($"{model}: training needs both classes ({positives} attack windows, {negatives} benign)");
        }

        var network = new EmbeddingBagNetwork(buckets, s.Dimensions, s.Hidden, s.Seed);
        var random = new Random(s.Seed);
        var rare = positives < negatives ? 1f : 0f;
        var repeat = (int)Math.Round(Math.Max(positives, negatives) / (double)Math.Min(positives, negatives));
        var order = Enumerable.Range(0, training.Count).SelectMany(i => Enumerable.Repeat(i, training[i].Label == rare ? repeat : 1)).ToArray();
        var steps = (long)s.Epochs * order.Length;
        long step = 0;
        for (var epoch = 1; epoch <= s.Epochs; epoch++)
        {
            random.Shuffle(order);
            double loss = 0;
            foreach (var i in order)
            {
                var (ids, label) = training[i];
                var rate = s.LearningRate * (1 - (step++ / (float)steps));
                loss += network.Train(ids, label, 1, rate);
            }

            log(string.Create(CultureInfo.InvariantCulture, $"{model}: epoch {epoch}/{s.Epochs} mean loss {loss / order.Length:0.0000}"));
        }

        return network;
    }

    /// <summary>The flag and block points from whole benign sources held aside (each text scored by
    /// its best window), and the share of each calibration set those points flag.</summary>
    public static (ScoreCalibration Calibration, Dictionary<string, double> Metrics) Calibrate(
        EmbeddingBagNetwork network, IWindowFeaturizer featurizer, string dataDirectory, CalibrationSources sources)
    {
        List<float> Scores(IEnumerable<string> entries) => [.. entries
            .SelectMany(e => TrainingData.ReadEntry(dataDirectory, e))
            .Select(r => Windows(featurizer, r.Text).Max(w => network.Predict(w)))];
        var everyday = Scores(sources.Everyday);
        var lookAlikes = Scores(sources.LookAlikes);
        var points = ScoreCalibration.FromSources(everyday, lookAlikes);
        return (points, new Dictionary<string, double>
        {
            ["calibration_everyday"] = everyday.Count,
            ["calibration_everyday_flagged"] = DetectionMetrics.RateAtLeast(everyday, points.FlagRaw),
            ["calibration_lookalikes"] = lookAlikes.Count,
            ["calibration_lookalikes_flagged"] = DetectionMetrics.RateAtLeast(lookAlikes, points.FlagRaw),
        });
    }

    /// <summary>The hyperparameters both models record; a trainer adds its own.</summary>
    public static Dictionary<string, double> Hyperparameters(int buckets, int maxFeatures, int windowChars, int strideChars, NetworkSettings n) => new()
    {
        ["buckets"] = buckets, ["max_features"] = maxFeatures, ["window_chars"] = windowChars, ["stride_chars"] = strideChars,
        ["dimensions"] = n.Dimensions, ["hidden"] = n.Hidden, ["epochs"] = n.Epochs, ["learning_rate"] = n.LearningRate, ["seed"] = n.Seed,
    };

    /// <summary>The ONNX file and its card.</summary>
    /// <param name="synthesised">The training rows the trainer made, for the card; null: none.</param>
    public static (byte[] Onnx, ModelCard Card) Package(
        ModelDescription model, EmbeddingBagNetwork network, IWindowFeaturizer featurizer, string version, string dataDirectory, IReadOnlyList<string> entries,
        CalibrationSources calibrationSources, ScoreCalibration calibration, Dictionary<string, double> metrics, Dictionary<string, double> hyperparameters,
        SynthesisedData? synthesised = null)
    {
        var metadata = new Dictionary<string, string> { ["name"] = model.Name, ["version"] = version };
        var onnx = featurizer is IBlockWindowFeaturizer
            ? network.ToBlockOnnx(model.GraphName, version, metadata)
            : network.ToOnnx(model.GraphName, version, metadata);
        return (onnx, new ModelCard
        {
            Name = model.Name,
            Version = version,
            Kind = model.Kind,
            DataDigest = TrainingData.Digest(dataDirectory, entries),
            TrainingFiles = [.. entries],
            HeldOutFiles = [.. model.HeldOutEntries],
            CalibrationFiles = [.. calibrationSources.All],
            Calibration = calibration,
            Hyperparameters = hyperparameters,
            Metrics = metrics,
            Synthesised = synthesised is null ? null : [synthesised],
            ModelSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(onnx)),
        });
    }
}
