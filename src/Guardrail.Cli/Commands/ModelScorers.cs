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
        var detector = loaded.Detectors.First(d => d.Name == (model == "injection" ? "injection-classifier" : "adversarial-suffix"));
        return detector switch
        {
            InjectionClassifierDetector injection => injection.ScoreTexts,
            AdversarialSuffixDetector suffix => suffix.ScoreTexts,
            _ => throw new UsageException($"{detector.Name} cannot run: {detector.UnavailableReason}"),
        };
    }
}
