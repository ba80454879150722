using Guardrail.Detection.Detectors;
using Guardrail.Onnx;

namespace Guardrail.Cli.Commands;

/// <summary>Loads a shipped model through the same code the gateway uses, for eval and training reports.</summary>
public static class ModelScorers
{
    public static string DefaultModelDirectory()
        => Directory.Exists("models") ? Path.GetFullPath("models") : Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>"injection", "suffix", "encoder", "segments" (the document-injection detector: the
    /// injection classifier sentence by sentence), or "cascade": the injection classifier with the
    /// encoder re-deciding the texts it scores in the default band, as the gateway does; "documents":
    /// the higher of cascade and segments, the two ML verdicts a gateway gives a document.</summary>
    public static Func<IReadOnlyList<string>, float[]> Load(string model, string directory)
    {
        if (model == "documents")
        {
            var cascade = Load("cascade", directory);
            var sentences = Load("segments", directory);
            return texts => [.. cascade(texts).Zip(sentences(texts), Math.Max)];
        }

        if (model == "cascade")
        {
            var fast = Load("injection", directory);
            var encoder = Load("encoder", directory);
            var cascade = new DetectionOptions().Cascades[0];
            return texts =>
            {
                var scores = fast(texts);
                var undecided = Enumerable.Range(0, texts.Count).Where(i => cascade.Undecided(scores[i])).ToList();
                var second = undecided.Count > 0 ? encoder([.. undecided.Select(i => texts[i])]) : [];
                for (var k = 0; k < undecided.Count; k++)
                {
                    scores[undecided[k]] = second[k];
                }

                return scores;
            };
        }

        var options = new DetectionOptions { ModelDirectory = directory };
        var scorer = model == "encoder"
            ? MlDetectors.OpenEncoder(options, new OnnxRuntimeOptions())
            : MlDetectors.Load(options, new OnnxRuntimeOptions()).Models.First(m => m.Detector.Name == model switch
            {
                "injection" => "injection-classifier",
                "segments" => MlDetectors.DocumentInjection,
                _ => "adversarial-suffix",
            });
        if (scorer.Detector.UnavailableReason is { } reason)
        {
            throw new UsageException($"{scorer.Detector.Name} cannot run: {reason}");
        }

        return texts => [.. scorer.ScoreBatch(texts).Select(s => s.Score)];
    }
}
