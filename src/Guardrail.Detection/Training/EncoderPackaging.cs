using System.Security.Cryptography;
using System.Text.Json;
using Guardrail.Detection.Encoder;
using Guardrail.Detection.Models;
using Guardrail.Onnx;

namespace Guardrail.Detection.Training;

/// <summary>
/// Finishes a fine-tuning run of training/encoder/finetune.py: the delta it wrote is composed with
/// the package's weights and opened by the serving code, its flag and block points are set on the
/// whole benign sources held aside (as for the n-gram models), and the card records the base model,
/// the recipe, the script's settings and losses, and the calibration.
/// </summary>
public static class EncoderPackaging
{
    public const string ModelName = "guardrail-injection-encoder";

    public static (byte[] Delta, ModelCard Card) Package(string work, string dataDirectory, string version, MiniLmPackage package, Action<string> log)
    {
        var delta = File.ReadAllBytes(Path.Combine(work, "delta.onnx"));
        using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(work, "delta.json")));
        var settings = run.RootElement.GetProperty("settings");
        var windows = new EncoderWindowSettings();
        var card = new ModelCard
        {
            Name = ModelName,
            Version = version,
            Kind = $"all-MiniLM-L6-v2, top {run.RootElement.GetProperty("tuned_layers").GetArrayLength()} layers fine-tuned, mean-pooled logistic head; max over {windows.WindowChars}-character windows of {windows.MaxTokens} tokens",
            DataDigest = TrainingData.Digest(dataDirectory, TrainingRecipe.InjectionTraining),
            TrainingFiles = [.. TrainingRecipe.InjectionTraining],
            HeldOutFiles = [.. TrainingRecipe.InjectionHeldOut],
            CalibrationFiles = [.. TrainingRecipe.PromptCalibration.All],
            Calibration = new ScoreCalibration(0, 1),
            Hyperparameters = new Dictionary<string, double>
            {
                ["window_chars"] = windows.WindowChars,
                ["stride_chars"] = windows.StrideChars,
                ["max_tokens"] = windows.MaxTokens,
                ["tuned_layers"] = run.RootElement.GetProperty("tuned_layers").GetArrayLength(),
                ["epochs"] = settings.GetProperty("epochs").GetDouble(),
                ["batch"] = settings.GetProperty("batch").GetDouble(),
                ["learning_rate"] = settings.GetProperty("lr").GetDouble(),
                ["head_learning_rate"] = settings.GetProperty("head_lr").GetDouble(),
                ["seed"] = settings.GetProperty("seed").GetDouble(),
            },
            Metrics = new Dictionary<string, double>(),
            BaseModel = new BaseModel(MiniLmPackage.PackageId, MiniLmPackage.PackageVersion, $"{MiniLmPackage.PackageId}.Resources.model.onnx", package.ModelSha256),
            Training = run.RootElement.EnumerateObject().Where(p => p.Name != "settings")
                .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : JsonSerializer.Serialize(p.Value)),
            ModelSha256 = Convert.ToHexStringLower(SHA256.HashData(delta)),
        };
        card = card with { Training = new Dictionary<string, string>(card.Training!) { ["inputs_sha256"] = settings.GetProperty("inputs_sha256").GetString()! } };

        var deltaPath = Path.Combine(work, "delta.onnx");
        using var classifier = EncoderClassifier.Open("injection-encoder", Core.Screening.DetectorCategory.Injection, deltaPath, card, new SessionSettings(IntraOpThreads: 0), package: package);
        List<float> Scores(IEnumerable<string> entries)
        {
            var texts = entries.SelectMany(e => TrainingData.ReadEntry(dataDirectory, e)).Select(r => r.Text).ToList();
            log($"encoder: scoring {texts.Count} calibration texts");
            return [.. classifier.RawScores(texts)];
        }

        var everyday = Scores(TrainingRecipe.PromptCalibration.Everyday);
        var lookAlikes = Scores(TrainingRecipe.PromptCalibration.LookAlikes);
        var points = ScoreCalibration.FromSources(everyday, lookAlikes);
        return (delta, card with
        {
            Calibration = points,
            Metrics = new Dictionary<string, double>
            {
                ["calibration_everyday"] = everyday.Count,
                ["calibration_everyday_flagged"] = DetectionMetrics.RateAtLeast(everyday, points.FlagRaw),
                ["calibration_lookalikes"] = lookAlikes.Count,
                ["calibration_lookalikes_flagged"] = DetectionMetrics.RateAtLeast(lookAlikes, points.FlagRaw),
            },
        });
    }
}
