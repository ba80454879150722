using Guardrail.Detection.Detectors;
using Guardrail.Detection.Models;

namespace Guardrail.Detection.Training;

/// <summary>
/// Sets the document-injection detector's flag and block points: the raw logit of a document's
/// best sentence (<see cref="WindowClassifierDetector.ReadingSentences"/>) at which the clean
/// documents of the recipe's permissive document sources are flagged 1 % and 0.1 % of the time.
/// These documents trained the whole-text model (no permissive clean-document source is left to
/// hold aside), so they score lower than unseen ones and the point errs towards flagging more;
/// StruQ's and SEP's clean documents, never trained on, measure what it does to unseen ones.
/// </summary>
public static class DocumentSegmentCalibration
{
    public static readonly string[] Files =
    [
        "set4_indirect_injection/bipia_email_clean_vs_injected_train.jsonl",
        "set4_indirect_injection/bipia_code_clean_vs_injected_train.jsonl",
        "set4_indirect_injection/bipia_table_clean_vs_injected_train.jsonl",
        "set4_indirect_injection/agentdojo_tool_outputs_clean_vs_injected.jsonl",
        "set4_indirect_injection/garak_latent_injection_docs.jsonl",
    ];

    /// <param name="bestSentenceRaw">Each text's best sentence's raw logit, as served.</param>
    public static (ScoreCalibration Points, Dictionary<string, double> Metrics) Set(string dataDirectory, Func<IReadOnlyList<string>, float[]> bestSentenceRaw)
    {
        var clean = Files.SelectMany(e => TrainingData.ReadEntry(dataDirectory, e)).Where(r => r.Label == 0).Select(r => r.Text).ToList();
        if (clean.Count == 0)
        {
            throw new InvalidDataException($"no clean documents under {dataDirectory} in {string.Join(", ", Files)}");
        }

        var raw = clean.Chunk(64).SelectMany(chunk => bestSentenceRaw(chunk)).ToList();
        var points = ScoreCalibration.FromNegatives(raw);
        return (points, new Dictionary<string, double>
        {
            ["segment_calibration_documents"] = clean.Count,
            ["segment_calibration_flagged"] = DetectionMetrics.RateAtLeast(raw, points.FlagRaw),
        });
    }
}
