using System.Diagnostics;

namespace Guardrail.Detection.Training;

/// <summary>One line of an evaluation: a source file, or "overall".</summary>
public sealed record EvaluationRow(string Source, int Positives, int Negatives, double Auc, double TprAt1PctFpr, double TprAt01PctFpr, double PositivesFlagged, double NegativesFlagged);

/// <summary>The table, plus each input row's calibrated score (same order as the rows given).</summary>
public sealed record EvaluationReport(IReadOnlyList<EvaluationRow> Rows, double ItemsPerSecond, double LookAlikeFpr, int LookAlikes, IReadOnlyList<float> Scores);

/// <summary>
/// Scores labelled texts with a detector (calibrated scores, in batches) and reports per source and
/// overall. TPR at a fixed FPR uses the negatives of all the given files; "flagged" is the share at
/// or above the policy's default flag point (calibrated 0.5). Look-alikes are the benign rows of
/// the over-defence files and rows marked marker_flag.
/// </summary>
public static class Evaluation
{
    public const float FlagPoint = 0.5f;

    public static EvaluationReport Run(IReadOnlyList<LabeledText> rows, Func<IReadOnlyList<string>, float[]> score, IReadOnlyCollection<string> lookAlikeFiles, int batch = 64)
    {
        var scores = new float[rows.Count];
        var clock = Stopwatch.StartNew();
        for (var start = 0; start < rows.Count; start += batch)
        {
            var texts = rows.Skip(start).Take(batch).Select(r => r.Text).ToList();
            score(texts).CopyTo(scores, start);
        }

        var itemsPerSecond = rows.Count / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        var allNegatives = Enumerable.Range(0, rows.Count).Where(i => rows[i].Label == 0).Select(i => scores[i]).ToList();
        EvaluationRow Row(string name, IEnumerable<int> indexes)
        {
            var list = indexes.ToList();
            var positives = list.Where(i => rows[i].Label == 1).Select(i => scores[i]).ToList();
            var negatives = list.Where(i => rows[i].Label == 0).Select(i => scores[i]).ToList();
            return new EvaluationRow(
                name, positives.Count, negatives.Count,
                DetectionMetrics.Auc(positives, negatives.Count > 0 ? negatives : allNegatives),
                DetectionMetrics.TprAtFpr(positives, allNegatives, 0.01),
                DetectionMetrics.TprAtFpr(positives, allNegatives, 0.001),
                DetectionMetrics.RateAtLeast(positives, FlagPoint),
                DetectionMetrics.RateAtLeast(negatives, FlagPoint));
        }

        var report = rows.Select((r, i) => (r.File, i)).GroupBy(x => x.File).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Row(g.Key, g.Select(x => x.i))).ToList();
        report.Add(Row("overall", Enumerable.Range(0, rows.Count)));
        var lookAlikes = Enumerable.Range(0, rows.Count)
            .Where(i => rows[i].Label == 0 && (rows[i].MarkerFlag || lookAlikeFiles.Contains(rows[i].File))).Select(i => scores[i]).ToList();
        return new EvaluationReport(report, itemsPerSecond, DetectionMetrics.RateAtLeast(lookAlikes, FlagPoint), lookAlikes.Count, scores);
    }
}
