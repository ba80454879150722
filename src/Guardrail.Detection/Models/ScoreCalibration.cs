namespace Guardrail.Detection.Models;

/// <summary>
/// Maps a model's raw probability onto the policy's scale, monotonically and piecewise-linearly:
/// the raw score at the model's flag operating point (1 % FPR on validation) becomes 0.5, the one
/// at its block point (0.1 % FPR) becomes 0.8. Tenant thresholds (FlagAt 0.5, BlockAt 0.8 by
/// default) then mean the same for every model and version.
/// </summary>
public sealed record ScoreCalibration(float FlagRaw, float BlockRaw)
{
    public float Apply(float raw)
    {
        if (raw <= FlagRaw)
        {
            return 0.5f * raw / Math.Max(FlagRaw, 1e-9f);
        }

        if (raw <= BlockRaw)
        {
            return 0.5f + (0.3f * (raw - FlagRaw) / Math.Max(BlockRaw - FlagRaw, 1e-9f));
        }

        return Math.Min(1f, 0.8f + (0.2f * (raw - BlockRaw) / Math.Max(1 - BlockRaw, 1e-9f)));
    }

    /// <summary>The raw thresholds at which <paramref name="negatives"/> (scores of benign
    /// validation items) are flagged 1 % and 0.1 % of the time.</summary>
    public static ScoreCalibration FromNegatives(IReadOnlyList<float> negatives)
    {
        var sorted = negatives.OrderBy(s => s).ToArray();
        float Quantile(double q) => sorted.Length == 0 ? 0.5f : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length))];
        var flag = Quantile(0.99);
        var block = Math.Max(Quantile(0.999), flag + 1e-6f);
        return new ScoreCalibration(flag, Math.Min(block, 0.999999f));
    }
}
