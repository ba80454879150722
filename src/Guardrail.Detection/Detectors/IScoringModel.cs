using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;

namespace Guardrail.Detection.Detectors;

/// <summary>A text's calibrated score and, when it reaches the detector's report floor, the span
/// (UTF-16 indices into the text as given) of the window that scored it; -1 otherwise.</summary>
public readonly record struct TextScore(float Score, int Start, int End);

/// <summary>
/// An ML model that scores many texts in one go, padding them into fixed-shape batches for ONNX
/// Runtime. Thread-safe. The <see cref="DynamicBatcher"/> feeds it texts gathered from concurrent
/// requests, in-process (embedded mode) or on a detector worker.
/// </summary>
public interface IScoringModel
{
    /// <summary>Name, category, model@version, and why it cannot run (null when it can).</summary>
    ModelDetector Detector { get; }

    /// <summary>"cpu" or "cuda"; empty when the model could not be loaded.</summary>
    string ExecutionProvider { get; }

    /// <summary>One score per text, in order. Each text is normalised here, as in training.</summary>
    TextScore[] ScoreBatch(IReadOnlyList<string> texts);

    /// <summary>One score per text already normalised (<see cref="TextNormalizer.Normalize"/> of the
    /// text it scores; spans are into its <see cref="NormalizedText.Original"/>): the pipeline has
    /// normalised every text before it asks, and normalising again cost each model as much again
    /// (118 us per 1,000 characters of Russian text).</summary>
    TextScore[] Score(IReadOnlyList<NormalizedText> texts);
}
