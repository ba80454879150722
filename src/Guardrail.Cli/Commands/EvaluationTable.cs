using System.Globalization;
using Guardrail.Detection.Training;

namespace Guardrail.Cli.Commands;

/// <summary>Prints an evaluation report as a table.</summary>
public static class EvaluationTable
{
    public static void Print(string title, EvaluationReport report)
    {
        static string P(double v) => double.IsNaN(v) ? "-" : (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
        static string F(double v) => double.IsNaN(v) ? "-" : v.ToString("0.000", CultureInfo.InvariantCulture);
        Console.WriteLine(title);
        Table.Print(
            ["SOURCE", "POS", "NEG", "AUC", "TPR@1%FPR", "TPR@0.1%FPR", "POS FLAGGED", "NEG FLAGGED"],
            report.Rows.Select(r => new[]
            {
                r.Source, r.Positives.ToString(CultureInfo.InvariantCulture), r.Negatives.ToString(CultureInfo.InvariantCulture),
                r.Positives > 0 ? F(r.Auc) : "-", r.Positives > 0 ? P(r.TprAt1PctFpr) : "-", r.Positives > 0 ? P(r.TprAt01PctFpr) : "-",
                r.Positives > 0 ? P(r.PositivesFlagged) : "-", r.Negatives > 0 ? P(r.NegativesFlagged) : "-",
            }));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"benign look-alikes flagged: {P(report.LookAlikeFpr)} of {report.LookAlikes}; {report.ItemsPerSecond:0} items/s (batches of 64, one process)"));
        Console.WriteLine();
    }
}
