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
        var flag = Quantile(negatives, 0.99);
        return new ScoreCalibration(flag, Math.Max(Quantile(negatives, 0.999), flag + 1e-3f));
    }

    /// <summary>The points from whole benign sources held aside from training: everyday prompts
    /// flagged 1 % and blocked 0.1 % of the time, raised where needed so that look-alikes (personas,
    /// system prompts) are flagged at most 3 % and blocked at most 1 % of the time.</summary>
    public static ScoreCalibration FromSources(IReadOnlyList<float> everyday, IReadOnlyList<float> lookAlikes)
    {
        var flag = Math.Max(Quantile(everyday, 0.99), lookAlikes.Count > 0 ? Quantile(lookAlikes, 0.97) : float.NegativeInfinity);
        var block = Math.Max(Quantile(everyday, 0.999), lookAlikes.Count > 0 ? Quantile(lookAlikes, 0.99) : float.NegativeInfinity);
        return new ScoreCalibration(flag, Math.Max(block, flag + 1e-3f));
    }

    /// <summary>The score below which a share <paramref name="q"/> of <paramref name="scores"/> falls.</summary>
    private static float Quantile(IReadOnlyList<float> scores, double q)
    {
        if (scores.Count == 0)
        {
            return 0f;
        }

        var sorted = scores.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length))];
    }

    private static float Sigmoid(float x) => 1 / (1 + MathF.Exp(-x));
}
