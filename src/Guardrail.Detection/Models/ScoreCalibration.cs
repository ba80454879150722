namespace Guardrail.Detection.Models;

/// <summary>
/// Maps a model's raw logit onto the policy's scale, monotonically: the logit at the model's flag
/// operating point (1 % FPR on validation) becomes 0.5, the one at its block point (0.1 % FPR)
/// becomes 0.8, linearly between them, with logistic tails below (towards 0) and above (towards 1)
/// so that any logit keeps its order. Tenant thresholds (FlagAt 0.5, BlockAt 0.8 by default) then
/// mean the same for every model and version.
/// </summary>
public sealed record ScoreCalibration(float FlagRaw, float BlockRaw)
{
    public float Apply(float raw)
    {
        if (raw <= FlagRaw)
        {
            return Sigmoid(raw - FlagRaw);
        }

        if (raw <= BlockRaw)
        {
            return 0.5f + (0.3f * (raw - FlagRaw) / Math.Max(BlockRaw - FlagRaw, 1e-6f));
        }

        return 0.8f + (0.2f * ((2 * Sigmoid(raw - BlockRaw)) - 1));
    }

    /// <summary>The raw logits at which <paramref name="negatives"/> (scores of benign validation
    /// items) are flagged 1 % and 0.1 % of the time.</summary>
    public static ScoreCalibration FromNegatives(IReadOnlyList<float> negatives)
    {
        var sorted = negatives.OrderBy(s => s).ToArray();
        float Quantile(double q) => sorted.Length == 0 ? 0f : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length))];
        var flag = Quantile(0.99);
        return new ScoreCalibration(flag, Math.Max(Quantile(0.999), flag + 1e-3f));
    }

    private static float Sigmoid(float x) => 1 / (1 + MathF.Exp(-x));
}
