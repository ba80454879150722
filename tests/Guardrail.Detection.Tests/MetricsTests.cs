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

    [Fact]
    public void Calibration_from_sources_raises_the_flag_point_for_look_alikes_only_where_they_need_it()
    {
        var everyday = Enumerable.Range(0, 10_000).Select(i => (i / 1_000f) - 8).ToList(); // -8 .. 2: 1 % point 1.9
        var mild = Enumerable.Range(0, 100).Select(i => (i / 100f) - 5).ToList(); // -5 .. -4: below it
        var loud = Enumerable.Range(0, 1_000).Select(i => i / 100f).ToList(); // 0 .. 10: 3 % point 9.7
        Assert.Equal(ScoreCalibration.FromNegatives(everyday).FlagRaw, ScoreCalibration.FromSources(everyday, mild).FlagRaw);
        var raised = ScoreCalibration.FromSources(everyday, loud);
        Assert.Equal(0.03, loud.Count(n => raised.Apply(n) >= 0.5f) / (double)loud.Count, 2);
        Assert.Equal(0.01, loud.Count(n => raised.Apply(n) >= 0.8f) / (double)loud.Count, 2); // blocked at most 1 %
        Assert.True(everyday.Count(n => raised.Apply(n) >= 0.5f) < everyday.Count / 100);
    }
}
