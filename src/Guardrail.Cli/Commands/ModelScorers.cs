using Guardrail.Detection.Detectors;
using Guardrail.Onnx;

namespace Guardrail.Cli.Commands;

/// <summary>Loads a shipped model through the same code the gateway uses, for eval and training reports.</summary>
public static class ModelScorers
{
    public static string DefaultModelDirectory()
        => Directory.Exists("models") ? Path.GetFullPath("models") : Path.Combine(AppContext.BaseDirectory, "models");

    public static Func<IReadOnlyList<string>, float[]> Load(string model, string directory)
    {
        var loaded = MlDetectors.Load(new DetectionOptions { ModelDirectory = directory }, new OnnxRuntimeOptions());
        var scorer = loaded.Models.First(m => m.Detector.Name == (model == "injection" ? "injection-classifier" : "adversarial-suffix"));
        if (scorer.Detector.UnavailableReason is { } reason)
        {
            throw new UsageException($"{scorer.Detector.Name} cannot run: {reason}");
        }

        return texts => [.. scorer.ScoreBatch(texts).Select(s => s.Score)];
    }
}
