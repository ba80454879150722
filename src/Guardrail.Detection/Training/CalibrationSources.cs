namespace Guardrail.Detection.Training;

/// <summary>Whole benign sources a trainer holds aside to set its model's flag and block points
/// (<see cref="Models.ScoreCalibration.FromSources"/>): everyday prompts, and look-alikes that the
/// flag point must mostly leave alone. They are never trained on, and an evaluation never counts
/// them as held out: the points were chosen on them.</summary>
public sealed record CalibrationSources(IReadOnlyList<string> Everyday, IReadOnlyList<string> LookAlikes)
{
    public IEnumerable<string> All => Everyday.Concat(LookAlikes);
}
