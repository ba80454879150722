namespace Guardrail.Detection.Training;

/// <summary>Ranking metrics for a detector: AUC, and TPR at a fixed FPR (never accuracy).</summary>
public static class DetectionMetrics
{
    /// <summary>Area under the ROC curve (Mann-Whitney U; ties count half).</summary>
    public static double Auc(IReadOnlyList<float> positives, IReadOnlyList<float> negatives)
    {
        if (positives.Count == 0 || negatives.Count == 0)
        {
            return double.NaN;
        }

        var all = positives.Select(s => (Score: s, Positive: true)).Concat(negatives.Select(s => (Score: s, Positive: false)))
            .OrderBy(x => x.Score).ToArray();
        double rankSum = 0;
        for (var i = 0; i < all.Length;)
        {
            var j = i;
            while (j < all.Length && all[j].Score == all[i].Score)
            {
                j++;
            }

            var rank = (i + j + 1) / 2.0; // average 1-based rank of the tie group
            for (var k = i; k < j; k++)
            {
                if (all[k].Positive)
                {
                    rankSum += rank;
                }
            }

            i = j;
        }

        return (rankSum - (positives.Count * (positives.Count + 1) / 2.0)) / ((double)positives.Count * negatives.Count);
    }

    /// <summary>The score above which at most <paramref name="fpr"/> of the negatives fall.</summary>
    public static float ThresholdAtFpr(IReadOnlyList<float> negatives, double fpr)
    {
        var sorted = negatives.OrderByDescending(s => s).ToArray();
        var allowed = (int)Math.Floor(fpr * sorted.Length);
        return allowed >= sorted.Length ? float.NegativeInfinity : sorted[allowed];
    }

    /// <summary>Share of positives strictly above the threshold that lets through <paramref name="fpr"/> of negatives.</summary>
    public static double TprAtFpr(IReadOnlyList<float> positives, IReadOnlyList<float> negatives, double fpr)
        => RateAbove(positives, ThresholdAtFpr(negatives, fpr));

    public static double RateAbove(IReadOnlyList<float> scores, float threshold)
        => scores.Count == 0 ? double.NaN : scores.Count(s => s > threshold) / (double)scores.Count;

    public static double RateAtLeast(IReadOnlyList<float> scores, float threshold)
        => scores.Count == 0 ? double.NaN : scores.Count(s => s >= threshold) / (double)scores.Count;
}
