namespace Guardrail.Core.Screening;

/// <summary>Where a text comes from or goes to.</summary>
public enum Channel
{
    UserPrompt,
    Document,
    ToolOutput,
    ModelOutput,
}

/// <summary>The answer, in rising severity: the highest one any finding calls for wins.</summary>
public enum Verdict
{
    Allow,
    Flag,
    Redact,
    Block,
    Throttle,
}

public enum DetectorStatus
{
    Ran,
    Skipped,
    SkippedIsolated,
    TimedOut,
    Shadow,
    Failed,
}

/// <summary>The policy categories detectors report under.</summary>
public static class DetectorCategory
{
    public const string Injection = "injection";
    public const string Smuggling = "smuggling";
    public const string Pii = "pii";
    public const string Secret = "secret";
    public const string Canary = "canary";
    public const string AdversarialSuffix = "adversarial_suffix";

    public static readonly IReadOnlyList<string> All = [Injection, Smuggling, Pii, Secret, Canary, AdversarialSuffix];
}

/// <summary>
/// One thing a detector found. <see cref="Start"/> and <see cref="End"/> are UTF-16 indices into the
/// text as it was sent (documents: that document's text), end exclusive.
/// </summary>
public sealed record Finding(
    string Detector,
    string Category,
    string Rule,
    float Score,
    int Start,
    int End,
    bool Hidden = false)
{
    /// <summary>Null for the request's own text.</summary>
    public string? DocumentId { get; init; }

    /// <summary>How the payload the match was in was hidden (<see cref="Normalization.PayloadEncoding"/>
    /// names, or the smuggling rule of an invisible run, e.g. "tag-characters"); null when not hidden.</summary>
    public string? HiddenAs { get; init; }
}

/// <summary>What one detector did for one request.</summary>
/// <param name="Seconds">Time the detector spent on this request, over the text and every document (for the detector timing metrics).</param>
public sealed record DetectorRun(string Detector, string Model, string Version, DetectorStatus Status, float Score, string? Reason = null, double Seconds = 0);

public sealed record DocumentInput(string Id, string Source, string Text);

/// <summary>What to screen: the request's text (may be empty when documents are given) and its documents.</summary>
/// <summary>A detector that could not run for a request, and the category whose fail mode applies.</summary>
public sealed record DetectorFailure(string Detector, string Category, string Reason);

public sealed record ScreenInput(Channel Channel, string Text, IReadOnlyList<DocumentInput> Documents, IReadOnlyList<string> CanaryTokens);

public sealed record RedactedDocument(string Id, string Text);

/// <summary>The decision for one request. <see cref="CategoryScores"/> is each enforced category's
/// highest combined score over the request's texts (what session risk accumulates);
/// <see cref="Failures"/> are kept so the verdict can be decided again under a tightened policy
/// without scanning again. <see cref="Redactions"/> are the findings a REDACT verdict replaced
/// (what reversible anonymisation rewrites with placeholders); empty for other verdicts.</summary>
public sealed record ScreenOutcome(
    Verdict Verdict,
    IReadOnlyList<Finding> Findings,
    IReadOnlyList<DetectorRun> Detectors,
    IReadOnlyList<string> Reasons,
    string? RedactedText,
    IReadOnlyList<RedactedDocument> RedactedDocuments,
    IReadOnlyList<DetectorFailure> Failures,
    IReadOnlyDictionary<string, float> CategoryScores,
    IReadOnlyList<Finding>? Redactions = null);
