using System.Diagnostics;
using Guardrail.Core.Detectors;
using Guardrail.Core.Normalization;
using Guardrail.Core.Policy;

namespace Guardrail.Core.Screening;

/// <summary>
/// Runs the in-process detectors over a request's text and every document, whole, then lets the
/// <see cref="VerdictEngine"/> decide. Each text is normalised once; payloads hidden in invisible
/// characters are decoded and scanned again by the content detectors. Pure computation: no I/O.
/// </summary>
public sealed class ScreeningPipeline
{
    private readonly ITextDetector[] _detectors;
    private readonly IReadOnlySet<string> _shadow;

    /// <param name="shadow">Detectors that run and are reported (status SHADOW, with their score) but
    /// never change a verdict and list no findings: how a new or doubtful model is watched before it
    /// is trusted.</param>
    public ScreeningPipeline(IEnumerable<ITextDetector> detectors, IReadOnlySet<string>? shadow = null)
    {
        _detectors = [.. detectors];
        _shadow = shadow ?? new HashSet<string>();
    }

    /// <summary>The cheap in-process detectors, in the order they report.</summary>
    public static ITextDetector[] CheapDetectors() =>
    [
        new SmugglingDetector(),
        new InjectionRuleDetector(),
        new PiiDetector(),
        new SecretDetector(),
        new CanaryDetector(),
    ];

    /// <summary>A pipeline of the cheap detectors alone.</summary>
    public static ScreeningPipeline CreateDefault() => new(CheapDetectors());

    /// <param name="cancellationToken">Checked between texts: a request with many long documents
    /// stops at its deadline.</param>
    public ScreenOutcome Screen(ScreenInput input, TenantPolicy policy, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> canaries = input.CanaryTokens.Count == 0 ? policy.CanaryTokens : [.. policy.CanaryTokens, .. input.CanaryTokens];
        var scan = new ScanState(_detectors.Length);
        ScanItem(input.Text, input.Channel, null, canaries, policy, scan);
        foreach (var document in input.Documents)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ScanItem(document.Text, Channel.Document, document.Id, canaries, policy, scan);
        }

        var runs = new DetectorRun[_detectors.Length];
        var failures = new List<DetectorFailure>();
        for (var i = 0; i < _detectors.Length; i++)
        {
            var d = _detectors[i];
            if (scan.Failed[i] is { } reason)
            {
                runs[i] = new DetectorRun(d.Name, d.Model, d.Version, DetectorStatus.Failed, 0, reason);
                failures.Add(new DetectorFailure(d.Name, d.Category, reason));
                continue;
            }

            runs[i] = scan.Ran[i]
                ? new DetectorRun(d.Name, d.Model, d.Version, _shadow.Contains(d.Name) ? DetectorStatus.Shadow : DetectorStatus.Ran, scan.MaxScore[i],
                    _shadow.Contains(d.Name) ? "shadow: scored and recorded, not enforced" : null, Stopwatch.GetElapsedTime(0, scan.Ticks[i]).TotalSeconds)
                : new DetectorRun(d.Name, d.Model, d.Version, DetectorStatus.Skipped, 0, SkipReason(d, input, canaries));
        }

        // Shadow detectors show their score on their run; their findings neither decide nor are listed.
        var enforced = _shadow.Count == 0 ? scan.Findings : scan.Findings.Where(f => !_shadow.Contains(f.Detector)).ToList();
        return VerdictEngine.Decide(input, enforced, runs, failures.Where(f => !_shadow.Contains(f.Detector)).ToList(), policy);
    }

    private void ScanItem(string text, Channel channel, string? documentId, IReadOnlyList<string> canaries, TenantPolicy policy, ScanState scan)
    {
        if (text.Length == 0)
        {
            return;
        }

        var normalized = TextNormalizer.Normalize(text);
        var payloads = normalized.Hidden
            .Where(run => run.Payload is { Length: > 0 })
            .Select(run => (Run: run, Text: TextNormalizer.Normalize(run.Payload!)))
            .ToList();
        var context = new ScanContext(channel, canaries);
        var found = new List<Finding>();
        for (var i = 0; i < _detectors.Length; i++)
        {
            var detector = _detectors[i];
            if (!Applies(detector, channel, canaries, policy))
            {
                continue;
            }

            if (detector.UnavailableReason is { } unavailable)
            {
                scan.Failed[i] = unavailable;
                continue;
            }

            scan.Ran[i] = true;
            var started = Stopwatch.GetTimestamp();
            var score = detector.Scan(normalized, context, found);
            foreach (var (run, payload) in detector.ScansHiddenPayloads ? payloads : [])
            {
                var inner = new List<Finding>();
                score = Math.Max(score, detector.Scan(payload, context, inner));
                found.AddRange(inner.Select(f => f with { Start = run.Start, End = run.End, Hidden = true }));
            }

            scan.MaxScore[i] = Math.Max(scan.MaxScore[i], score);
            scan.Ticks[i] += Stopwatch.GetTimestamp() - started;
        }

        scan.Findings.AddRange(documentId is null ? found : found.Select(f => f with { DocumentId = documentId }));
    }

    private static bool Applies(ITextDetector detector, Channel channel, IReadOnlyList<string> canaries, TenantPolicy policy)
        => policy.Applies(detector.Category, channel) && (detector.Category != DetectorCategory.Canary || canaries.Count > 0);

    private static string SkipReason(ITextDetector detector, ScreenInput input, IReadOnlyList<string> canaries)
        => detector.Category == DetectorCategory.Canary && canaries.Count == 0
            ? "no canary tokens in the request or the tenant policy"
            : $"policy does not apply category '{detector.Category}' to channel {ChannelNames.Name(input.Channel)}" + (input.Documents.Count > 0 ? " or document" : string.Empty);

    private sealed class ScanState(int detectors)
    {
        public List<Finding> Findings { get; } = [];

        public bool[] Ran { get; } = new bool[detectors];

        public float[] MaxScore { get; } = new float[detectors];

        public string?[] Failed { get; } = new string?[detectors];

        public long[] Ticks { get; } = new long[detectors];
    }
}
