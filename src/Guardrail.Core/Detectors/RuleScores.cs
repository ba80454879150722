using Guardrail.Core.Screening;

namespace Guardrail.Core.Detectors;

internal static class RuleScores
{
    /// <summary>The highest score among the findings a scan added (0 when none).</summary>
    public static float Max(List<Finding> findings, int first)
    {
        var max = 0f;
        for (var i = first; i < findings.Count; i++)
        {
            max = Math.Max(max, findings[i].Score);
        }

        return max;
    }
}
