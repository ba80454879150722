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
