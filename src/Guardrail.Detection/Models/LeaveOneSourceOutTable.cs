using System.Text.Json.Serialization;

namespace Guardrail.Detection.Models;

/// <summary>The leave-one-source-out table of a model's recipe, as a model card records it
/// (<c>guardrailctl eval --leave-one-source-out --card FILE</c>): each source scored by a model that
/// never saw it, and the pooled lines the targets are stated in. Shares are 0..1; null where a line
/// has no rows of that kind (a benign source has no TPR).</summary>
/// <param name="Measured">The day it was measured (UTC, yyyy-MM-dd).</param>
/// <param name="DataDigest">The recipe's data digest the folds were trained from; equals the card's own.</param>
public sealed record LeaveOneSourceOutTable(string Measured, string DataDigest, IReadOnlyList<LeaveOneSourceOutRow> Sources, IReadOnlyDictionary<string, double> Pooled);

/// <param name="Recipe">trains, calibrates or held out.</param>
public sealed record LeaveOneSourceOutRow(
    string Source, string Kind, string Recipe, int Positives, int Negatives,
    double? Auc,
    [property: JsonPropertyName("tpr_at_1pct_fpr")] double? TprAt1PctFpr,
    [property: JsonPropertyName("tpr_at_0_1pct_fpr")] double? TprAt01PctFpr,
    double? PositivesFlagged,
    [property: JsonPropertyName("negatives_above_1pct_point")] double? NegativesAbove1PctPoint,
    double? NegativesFlagged);

/// <summary>Training rows a trainer made rather than read: what they are, what they were made from, how many.</summary>
public sealed record SynthesisedData(string What, string From, int Rows);
