using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;

namespace Guardrail.Core.Detectors;

/// <summary>
/// The findings one scan adds for matches in a text's clean form: maps each match back to the
/// original text and tells whether a new match overlaps one this scan already made.
/// </summary>
internal readonly struct CleanFindings(ITextDetector detector, NormalizedText text, List<Finding> findings)
{
    private readonly int _first = findings.Count;

    public void Add(string rule, float score, int index, int length)
    {
        var (start, end) = text.CleanToOriginal(index, index + length);
        findings.Add(new Finding(detector.Name, detector.Category, rule, score, start, end));
    }

    /// <summary>Adds the finding unless it overlaps one this scan already made (an earlier, stronger
    /// rule's match); returns whether it was added.</summary>
    public bool AddUnlessOverlapping(string rule, float score, int index, int length)
    {
        if (Overlaps(index, length))
        {
            return false;
        }

        Add(rule, score, index, length);
        return true;
    }

    public bool Overlaps(int index, int length)
    {
        var (start, end) = text.CleanToOriginal(index, index + length);
        for (var i = _first; i < findings.Count; i++)
        {
            if (findings[i].Start < end && start < findings[i].End)
            {
                return true;
            }
        }

        return false;
    }
}
