using Guardrail.Detection.Models;
using Guardrail.Detection.Training;

namespace Guardrail.Detection.Tests;

public class MetricsTests
{
    [Fact]
    public void Auc_counts_ranks_and_ties()
    {
        Assert.Equal(1.0, DetectionMetrics.Auc([0.9f, 0.8f], [0.1f, 0.2f]));
        Assert.Equal(0.0, DetectionMetrics.Auc([0.1f], [0.9f, 0.8f]));
        Assert.Equal(0.5, DetectionMetrics.Auc([0.5f], [0.5f]));
        Assert.Equal(0.75, DetectionMetrics.Auc([0.6f, 0.3f], [0.4f, 0.2f]));
    }

    [Fact]
    public void Tpr_at_fpr_uses_the_negatives_quantile()
    {
        var negatives = Enumerable.Range(0, 1000).Select(i => i / 1000f).ToList(); // 0.000 .. 0.999
        var threshold = DetectionMetrics.ThresholdAtFpr(negatives, 0.01);
        Assert.Equal(0.989f, threshold, 3); // 10 negatives above it
        Assert.Equal(0.5, DetectionMetrics.TprAtFpr([0.995f, 0.5f], negatives, 0.01));
    }

    [Fact]
    public void Calibration_maps_operating_points_onto_the_policy_scale()
    {
        var negatives = Enumerable.Range(0, 10_000).Select(i => (i / 1_000f) - 8).ToList(); // logits -8 .. 2
        var calibration = ScoreCalibration.FromNegatives(negatives);
        Assert.Equal(0.5f, calibration.Apply(calibration.FlagRaw), 4);
        Assert.Equal(0.8f, calibration.Apply(calibration.BlockRaw), 4);
        Assert.Equal(1f, calibration.Apply(40f), 4);
        Assert.Equal(0f, calibration.Apply(-40f), 4);
        Assert.True(calibration.Apply(-3f) < calibration.Apply(-2f));
        Assert.True(calibration.Apply(12f) < calibration.Apply(13f)); // confident logits keep their order
        Assert.Equal(0.01, negatives.Count(n => calibration.Apply(n) >= 0.5f) / (double)negatives.Count, 3);
    }
}
