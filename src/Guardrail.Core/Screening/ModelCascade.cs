using System.Globalization;

namespace Guardrail.Core.Screening;

/// <summary>
/// A second-tier ML detector that scores only the texts a first-tier detector could not decide:
/// those it scored in [<see cref="From"/>, <see cref="Below"/>), and every text the first tier gave
/// no answer for (failed, timed out, isolated, unavailable). Where the second tier answers (and is
/// enforced), its score decides in place of the first tier's: the first tier's finding on that
/// text is dropped, while its run still shows its score. With <see cref="Always"/> the second tier
/// scores every text (where a GPU serves it, the first tier's speed buys nothing).
/// </summary>
public sealed record ModelCascade(string FirstTier, string SecondTier, float From, float Below, bool Always = false)
{
    public bool Undecided(float firstTierScore) => Always || (firstTierScore >= From && firstTierScore < Below);

    /// <summary>The second tier's run reason when no text reached it.</summary>
    public string DecidedByFirstTier => string.Create(CultureInfo.InvariantCulture,
        $"every text decided by {FirstTier} (scores below {From:0.##} or from {Below:0.##} on)");
}
