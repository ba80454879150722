using System.Collections.Frozen;
using System.Diagnostics;
using Guardrail.Core.Detectors;
using Guardrail.Core.Normalization;
using Guardrail.Core.Policy;
using Guardrail.Core.Registry;

namespace Guardrail.Core.Screening;

/// <summary>
/// Runs the detectors over a request's text and every document, whole, then lets the
/// <see cref="VerdictEngine"/> decide. Each text is normalised once; payloads hidden in invisible
/// characters are decoded and scanned again by the content detectors. The cheap detectors run
/// here, synchronously; the ML detectors' (text, detector) pairs go to the <see cref="ITextScorer"/>
/// in one call per request (in-process batchers or detector workers). Obvious encodings (base64,
/// hex, URL-encoding, rot13, leetspeak, split words: <see cref="EncodedPayloads"/>) are decoded and
/// scanned again the same way; what is found in a payload is marked hidden, with how it was hidden.
/// </summary>
public sealed class ScreeningPipeline
{
    private readonly ITextDetector[] _detectors;
    private readonly ITextScorer? _scorer;
    private readonly IReadOnlySet<string> _shadow;
    private readonly IReadOnlyList<ModelCascade> _cascades;
    private readonly ITopicMatcher? _topics;
    private readonly int _tenantRules; // the tenant-rules detector's index, which topics report under; -1 without it

    /// <param name="scorer">Where the ML detectors run; null for none.</param>
    /// <param name="shadow">Detectors that run and are reported (status SHADOW, with their score) but
    /// never change a verdict and list no findings: how a new or doubtful model is watched before it
    /// is trusted.</param>
    /// <param name="cascades">Second-tier ML detectors (the encoder tier), each scoring only what its
    /// first tier could not decide.</param>
    /// <param name="topics">The sentence encoder that matches tenants' banned topics; null: a topic
    /// rule cannot run here and its text is flagged (fail-open), as for any detector that cannot run.</param>
    public ScreeningPipeline(IEnumerable<ITextDetector> detectors, IReadOnlySet<string>? shadow = null, ITextScorer? scorer = null, IReadOnlyList<ModelCascade>? cascades = null, ITopicMatcher? topics = null)
    {
        _topics = topics;
        _detectors = [.. detectors];
        _tenantRules = Array.FindIndex(_detectors, d => d.Category == TenantRules.Category);
        _scorer = scorer;
        _shadow = shadow ?? new HashSet<string>();
        _cascades = cascades ?? [];
    }

    /// <summary>The cheap in-process detectors, in the order they report.</summary>
    public static ITextDetector[] CheapDetectors() =>
    [
        new SmugglingDetector(),
        new InjectionRuleDetector(),
        new PiiDetector(),
        new SecretDetector(),
        new CanaryDetector(),
        new TenantRuleDetector(),
    ];

    /// <summary>A pipeline of the cheap detectors alone.</summary>
    public static ScreeningPipeline CreateDefault() => new(CheapDetectors());

    /// <param name="deadline">When the ML scoring must be back (the call's deadline); a detector that
    /// cannot answer by then is reported as timed out and its category's fail mode applies.</param>
    /// <param name="cancellationToken">Checked between texts: a request with many long documents
    /// stops at its deadline.</param>
    /// <param name="controls">The model registry as this node knows it: an isolated detector model is
    /// not called (SKIPPED_ISOLATED, and its category's fail mode applies unless it was in shadow
    /// before), a registry status of shadow or active overrides the configured shadow set.</param>
    public async ValueTask<ScreenOutcome> ScreenAsync(ScreenInput input, TenantPolicy policy, DateTimeOffset deadline, CancellationToken cancellationToken = default, ModelControls? controls = null)
    {
        IReadOnlyList<string> canaries = input.CanaryTokens.Count == 0 ? policy.CanaryTokens : [.. policy.CanaryTokens, .. input.CanaryTokens];
        var scan = new ScanState(_detectors.Length, _scorer?.Detectors ?? []);
        ResolveModes(scan, controls ?? ModelControls.Empty);
        ScanItem(input.Text, input.Channel, null, canaries, policy, scan);
        foreach (var document in input.Documents)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ScanItem(document.Text, Channel.Document, document.Id, canaries, policy, scan);
        }

        if (policy.Rules.Topics.Count > 0)
        {
            await MatchTopicsAsync(input, policy, scan, cancellationToken).ConfigureAwait(false);
        }

        if (scan.Pending.Count > 0)
        {
            await ScoreModelsAsync(scan, 0, deadline, cancellationToken).ConfigureAwait(false);
        }

        var firstRound = scan.Pending.Count;
        QueueSecondTiers(input, policy, scan);
        if (scan.Pending.Count > firstRound)
        {
            await ScoreModelsAsync(scan, firstRound, deadline, cancellationToken).ConfigureAwait(false);
            DropOverruledFindings(scan, firstRound);
        }

        var total = _detectors.Length + scan.Models.Count;
        var runs = new DetectorRun[total];
        var failures = new List<DetectorFailure>();
        for (var i = 0; i < total; i++)
        {
            var (name, category, model, version) = i < _detectors.Length
                ? (_detectors[i].Name, _detectors[i].Category, _detectors[i].Model, _detectors[i].Version)
                : Answered(scan.Models[i - _detectors.Length], scan.Model[i], scan.Version[i]);
            if (scan.Isolated[i] is { } isolated)
            {
                runs[i] = new DetectorRun(name, model, version, DetectorStatus.SkippedIsolated, 0, ModelControls.IsolationReason(isolated));
                if (isolated.PreviousStatus != ModelStatus.Shadow && !CoveredByOtherTier(scan, i))
                {
                    failures.Add(new DetectorFailure(name, category, runs[i].Reason!));
                }

                continue;
            }

            if (scan.Failed[i] is { } reason)
            {
                runs[i] = new DetectorRun(name, model, version, scan.FailedStatus[i], 0, reason, Stopwatch.GetElapsedTime(0, scan.Ticks[i]).TotalSeconds);
                if (!scan.Shadow[i] && !CoveredByOtherTier(scan, i))
                {
                    failures.Add(new DetectorFailure(name, category, reason));
                }

                continue;
            }

            runs[i] = scan.Ran[i]
                ? new DetectorRun(name, model, version, scan.Shadow[i] ? DetectorStatus.Shadow : DetectorStatus.Ran, scan.MaxScore[i],
                    scan.Shadow[i] ? "shadow: scored and recorded, not enforced" : scan.RunNote[i], Stopwatch.GetElapsedTime(0, scan.Ticks[i]).TotalSeconds)
                : new DetectorRun(name, model, version, DetectorStatus.Skipped, 0, scan.RunNote[i] ?? ReadsNone(i < _detectors.Length ? null : scan.Models[i - _detectors.Length], input) ?? SkipReason(category, input, canaries));
        }

        // Shadow detectors show their score on their run; their findings neither decide nor are listed.
        var shadowed = runs.Where(r => r.Status == DetectorStatus.Shadow).Select(r => r.Detector).ToHashSet(StringComparer.Ordinal);
        var findings = scan.Overruled.Count == 0 ? scan.Findings : [.. scan.Findings.Where((_, k) => !scan.Overruled.Contains(k))];
        var enforced = shadowed.Count == 0 ? findings : findings.Where(f => !shadowed.Contains(f.Detector)).ToList();
        return VerdictEngine.Decide(input, policy.Rules.Exempt(input, enforced), runs, failures, policy);
    }

    /// <summary>The tenant's banned topics over the texts their channels cover, by the sentence
    /// encoder, reported as the tenant-rules detector's findings and time.</summary>
    private async ValueTask MatchTopicsAsync(ScreenInput input, TenantPolicy policy, ScanState scan, CancellationToken cancellationToken)
    {
        var index = _tenantRules;
        var items = new List<(string Text, Channel Channel, string? DocumentId)> { (input.Text, input.Channel, null) };
        items.AddRange(input.Documents.Select(d => (d.Text, Channel.Document, (string?)d.Id)));
        items.RemoveAll(item => item.Text.Length == 0 || !policy.Rules.AppliesTopics(item.Channel));
        if (index < 0 || items.Count == 0 || scan.Shadow[index] || scan.IsolatedEntry[index] is not null)
        {
            return;
        }

        if (_topics is null)
        {
            scan.Failed[index] = "banned topics need the sentence encoder, which this node does not run";
            return;
        }

        // A topic can only add a finding, which cannot change a BLOCK the cheap detectors already
        // reached; the sentence encoder costs milliseconds per text on CPU.
        if (Blocks(input, policy, scan, FrozenSet<int>.Empty))
        {
            scan.RunNote[index] = TopicsNotNeeded;
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var topics = policy.Rules.Topics;
            var matches = await _topics.MatchAsync([.. items.Select(i => i.Text)], topics, cancellationToken).ConfigureAwait(false);
            scan.Ran[index] = true;
            for (var t = 0; t < items.Count; t++)
            {
                for (var r = 0; r < topics.Count; r++)
                {
                    var match = matches[t][r];
                    scan.MaxScore[index] = Math.Max(scan.MaxScore[index], Math.Clamp(match.Similarity, 0, 1));
                    if (topics[r].Channels.Contains(items[t].Channel) && match.Similarity >= topics[r].Threshold)
                    {
                        scan.Findings.Add(new Finding(TenantRuleDetector.DetectorName, TenantRules.Category, topics[r].Name, match.Similarity, match.Start, match.End) { DocumentId = items[t].DocumentId });
                    }
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            scan.Failed[index] = $"banned topics not matched: {e.GetType().Name}: {e.Message}";
        }

        scan.Ticks[index] += Stopwatch.GetTimestamp() - started;
    }

    /// <summary>Each detector's mode for this request: the registry's status for its model@version,
    /// else the configured shadow set.</summary>
    private void ResolveModes(ScanState scan, ModelControls controls)
    {
        for (var i = 0; i < scan.Shadow.Length; i++)
        {
            var (name, model, version) = i < _detectors.Length
                ? (_detectors[i].Name, _detectors[i].Model, _detectors[i].Version)
                : (scan.Models[i - _detectors.Length].Name, scan.Models[i - _detectors.Length].Model, scan.Models[i - _detectors.Length].Version);
            var status = controls.DetectorStatus(model, version, configuredShadow: _shadow.Contains(name));
            scan.Shadow[i] = status == ModelStatus.Shadow;
            scan.IsolatedEntry[i] = status == ModelStatus.Isolated ? controls.Detector(model, version) : null;
        }
    }

    /// <summary>Sends the pending (text, ML detector) pairs from <paramref name="from"/> on in one
    /// call and folds the answers in: scores, findings (hidden payloads' findings take their run's
    /// span), model@version as answered, and what did not run and why.</summary>
    private async Task ScoreModelsAsync(ScanState scan, int from, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var items = scan.Pending.Skip(from).Select(p => new ScoringItem(p.Text, scan.Models[p.Model].Name, p.Normalized)).ToList();
        var started = Stopwatch.GetTimestamp();
        var scores = await _scorer!.ScoreAsync(items, deadline, cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetTimestamp() - started;
        for (var j = 0; j < scores.Length; j++)
        {
            var k = from + j;
            var pending = scan.Pending[k];
            var score = scores[j];
            var detector = scan.Models[pending.Model];
            var i = _detectors.Length + pending.Model;
            scan.Ticks[i] = elapsed;
            scan.Answers.Add(new PendingAnswer(score.Status == DetectorStatus.Ran, score.Score, score.HasSpan ? scan.Findings.Count : -1));
            if (score.Status != DetectorStatus.Ran)
            {
                // The first text that did not run names the status and the reason together.
                if (scan.Failed[i] is null)
                {
                    scan.Failed[i] = score.Reason ?? "no reason given";
                    scan.FailedStatus[i] = score.Status;
                }

                continue;
            }

            scan.Ran[i] = true;
            scan.Model[i] = score.Model;
            scan.Version[i] = score.Version;
            scan.MaxScore[i] = Math.Max(scan.MaxScore[i], score.Score);
            if (score.HasSpan)
            {
                var finding = pending.Hidden is { } payload
                    ? new Finding(detector.Name, detector.Category, detector.Name, score.Score, payload.Start, payload.End, Hidden: true) { HiddenAs = payload.HiddenAs }
                    : new Finding(detector.Name, detector.Category, detector.Name, score.Score, score.Start, score.End);
                scan.Findings.Add(finding with { DocumentId = pending.DocumentId });
            }
        }
    }

    /// <summary>Whether the findings that stand whatever a second tier says (every enforced finding
    /// but a first tier's on a text it left undecided) already block the request. A second tier can
    /// only add evidence or clear an undecided text, so it cannot change a BLOCK: an attack the rules
    /// block does not cost the encoder's milliseconds.</summary>
    private bool BlockedWithoutSecondTiers(ScreenInput input, TenantPolicy policy, ScanState scan)
    {
        if (_cascades.Count == 0 || scan.Findings.Count == 0)
        {
            return false;
        }

        var undecided = new HashSet<int>();
        foreach (var cascade in _cascades)
        {
            var first = IndexOf(scan, cascade.FirstTier);
            for (var k = 0; k < scan.Answers.Count; k++)
            {
                if (scan.Pending[k].Model == first && scan.Answers[k].Finding >= 0 && cascade.Undecided(scan.Answers[k].Score))
                {
                    undecided.Add(scan.Answers[k].Finding);
                }
            }
        }

        return Blocks(input, policy, scan, undecided);
    }

    /// <summary>Whether the enforced findings so far, less <paramref name="excluded"/> (indexes into
    /// the findings), block the request on their own.</summary>
    private bool Blocks(ScreenInput input, TenantPolicy policy, ScanState scan, IReadOnlySet<int> excluded)
    {
        if (scan.Findings.Count == 0)
        {
            return false;
        }

        var shadowed = Enumerable.Range(0, scan.Shadow.Length).Where(i => scan.Shadow[i])
            .Select(i => i < _detectors.Length ? _detectors[i].Name : scan.Models[i - _detectors.Length].Name).ToHashSet(StringComparer.Ordinal);
        var standing = scan.Findings.Where((f, k) => !excluded.Contains(k) && !shadowed.Contains(f.Detector)).ToList();
        return standing.Count > 0 && VerdictEngine.Decide(input, policy.Rules.Exempt(input, standing), [], [], policy).Verdict == Verdict.Block;
    }

    /// <summary>The tenant-rules run's reason when its banned topics were not matched because the
    /// request was already blocked (its ban and allow lists still ran).</summary>
    public const string TopicsNotNeeded = "banned topics not matched: the request is blocked by findings they cannot change";

    /// <summary>Queues each second tier on the texts its first tier could not decide (answered
    /// outside the cascade's band, or not at all); notes why a second tier had nothing to do.
    /// Where the request is blocked whatever a second tier says (<see cref="BlockedWithoutSecondTiers"/>,
    /// asked once, and only when some text would be queued) it queues nothing.</summary>
    private void QueueSecondTiers(ScreenInput input, TenantPolicy policy, ScanState scan)
    {
        bool? alreadyBlocked = null;
        foreach (var cascade in _cascades)
        {
            var first = IndexOf(scan, cascade.FirstTier);
            var second = IndexOf(scan, cascade.SecondTier);
            if (second < 0 || !WaitsForFirstTier(scan, cascade.SecondTier))
            {
                continue; // no such detector here, or it scored every text in the first round
            }

            var i = _detectors.Length + second;
            var queued = false;
            for (var k = 0; k < scan.Answers.Count; k++)
            {
                var pending = scan.Pending[k];
                if (pending.Model != first || (scan.Answers[k].Ran && !cascade.Undecided(scan.Answers[k].Score)))
                {
                    continue;
                }

                if (scan.IsolatedEntry[i] is { } isolated)
                {
                    scan.Isolated[i] = isolated;
                }
                else if (scan.Models[second].UnavailableReason is { } unavailable)
                {
                    scan.Failed[i] = unavailable;
                }
                else if (alreadyBlocked ??= BlockedWithoutSecondTiers(input, policy, scan))
                {
                    // No tier decided this text; the first tier's finding in its undecided band is
                    // not listed as evidence (its score still shows on its run).
                    scan.RunNote[i] = AlreadyBlocked;
                    if (scan.Answers[k].Finding >= 0)
                    {
                        scan.Overruled.Add(scan.Answers[k].Finding);
                    }
                }
                else
                {
                    scan.Pending.Add(pending with { Model = second, Follows = k });
                    queued = true;
                }
            }

            if (!queued && scan.RunNote[i] is null && Enumerable.Range(0, scan.Answers.Count).Any(k => scan.Pending[k].Model == first))
            {
                scan.RunNote[i] = cascade.DecidedByFirstTier;
            }
        }
    }

    /// <summary>A second tier's run reason when the request was blocked before it could run.</summary>
    public const string AlreadyBlocked = "not needed: the request is blocked by findings this tier cannot overrule";

    /// <summary>Where an enforced second tier answered for a text, the first tier's finding on it no longer decides.</summary>
    private void DropOverruledFindings(ScanState scan, int firstRound)
    {
        for (var q = firstRound; q < scan.Pending.Count; q++)
        {
            var follows = scan.Pending[q].Follows;
            if (scan.Answers[q].Ran && !scan.Shadow[_detectors.Length + scan.Pending[q].Model] && scan.Answers[follows].Finding >= 0)
            {
                scan.Overruled.Add(scan.Answers[follows].Finding);
            }
        }
    }

    /// <summary>A tier of a cascade that did not run leaves no text unscreened when the other tier
    /// answered (a first tier's texts all went to the second; a second tier's texts were all scored
    /// by the first, whose findings then stand): its category's fail mode does not apply.</summary>
    private bool CoveredByOtherTier(ScanState scan, int i)
    {
        if (i < _detectors.Length)
        {
            return false;
        }

        var name = scan.Models[i - _detectors.Length].Name;
        foreach (var cascade in _cascades)
        {
            var other = name == cascade.FirstTier ? IndexOf(scan, cascade.SecondTier)
                : name == cascade.SecondTier ? IndexOf(scan, cascade.FirstTier)
                : -1;
            if (other >= 0 && scan.Ran[_detectors.Length + other] && scan.Failed[_detectors.Length + other] is null && scan.Isolated[_detectors.Length + other] is null)
            {
                return true;
            }
        }

        return false;
    }

    private int IndexOf(ScanState scan, string detector)
    {
        for (var m = 0; m < scan.Models.Count; m++)
        {
            if (scan.Models[m].Name == detector)
            {
                return m;
            }
        }

        return -1;
    }

    /// <summary>A second tier waits for its first tier unless that is missing, isolated or
    /// unavailable here: then it scores every text itself, in the first round.</summary>
    private bool WaitsForFirstTier(ScanState scan, string detector)
        => _cascades.Any(c => c.SecondTier == detector && IndexOf(scan, c.FirstTier) is var first and >= 0
            && scan.IsolatedEntry[_detectors.Length + first] is null && scan.Models[first].UnavailableReason is null);

    private void ScanItem(string text, Channel channel, string? documentId, IReadOnlyList<string> canaries, TenantPolicy policy, ScanState scan)
    {
        if (text.Length == 0)
        {
            return;
        }

        var normalized = TextNormalizer.Normalize(text);
        var payloads = Payloads(text, normalized);
        var context = new ScanContext(channel, canaries, policy.Rules);
        var found = new List<Finding>();
        for (var i = 0; i < _detectors.Length; i++)
        {
            var detector = _detectors[i];
            if (!Applies(detector, channel, canaries, policy))
            {
                continue;
            }

            if (scan.IsolatedEntry[i] is { } isolated)
            {
                scan.Isolated[i] = isolated; // applies here, but its model must not be called
                continue;
            }

            scan.Ran[i] = true;
            var started = Stopwatch.GetTimestamp();
            var score = detector.Scan(normalized, context, found);
            foreach (var payload in detector.ScansHiddenPayloads ? payloads : [])
            {
                var inner = new List<Finding>();
                score = Math.Max(score, detector.Scan(payload.Normalized, context, inner));
                found.AddRange(inner.Where(payload.Covers).Select(f => f with { Start = payload.Start, End = payload.End, Hidden = true, HiddenAs = payload.HiddenAs }));
            }

            scan.MaxScore[i] = Math.Max(scan.MaxScore[i], score);
            scan.Ticks[i] += Stopwatch.GetTimestamp() - started;
        }

        scan.Findings.AddRange(documentId is null ? found : found.Select(f => f with { DocumentId = documentId }));
        for (var m = 0; m < scan.Models.Count; m++)
        {
            var model = scan.Models[m];
            if (!model.Reads(channel) || !policy.Applies(model.Category, channel) || WaitsForFirstTier(scan, model.Name))
            {
                continue;
            }

            if (scan.IsolatedEntry[_detectors.Length + m] is { } isolated)
            {
                scan.Isolated[_detectors.Length + m] = isolated;
                continue;
            }

            if (model.UnavailableReason is { } unavailable)
            {
                scan.Failed[_detectors.Length + m] = unavailable;
                continue;
            }

            scan.Pending.Add(new PendingScore(m, text, normalized, documentId, null));
            foreach (var payload in payloads)
            {
                scan.Pending.Add(new PendingScore(m, payload.Normalized.Original, payload.Normalized, documentId, payload));
            }
        }
    }

    /// <summary>What the text hides: payloads decoded from invisible characters, then obvious encodings.</summary>
    private static List<HiddenPayload> Payloads(string text, NormalizedText normalized)
    {
        var payloads = new List<HiddenPayload>();
        foreach (var run in normalized.Hidden)
        {
            if (run.Payload is { Length: > 0 })
            {
                payloads.Add(new HiddenPayload(run.Start, run.End, SmugglingDetector.RuleFor(run), TextNormalizer.Normalize(run.Payload), 0, run.Payload.Length));
            }
        }

        foreach (var encoded in EncodedPayloads.Find(text))
        {
            payloads.Add(new HiddenPayload(encoded.Start, encoded.End, encoded.Encoding, TextNormalizer.Normalize(encoded.Decoded), encoded.DecodedStart, encoded.DecodedEnd));
        }

        return payloads;
    }

    /// <summary>An ML detector as it answered: the model@version that scored, else the one expected.</summary>
    private static (string Name, string Category, string Model, string Version) Answered(ModelDetector detector, string? model, string? version)
        => (detector.Name, detector.Category, model ?? detector.Model, version ?? detector.Version);

    private static bool Applies(ITextDetector detector, Channel channel, IReadOnlyList<string> canaries, TenantPolicy policy)
        => detector.Category == TenantRules.Category
            ? policy.Rules.AppliesBans(channel)
            : policy.Applies(detector.Category, channel) && (detector.Category != DetectorCategory.Canary || canaries.Count > 0);

    /// <summary>Why a detector that reads only some channels had nothing here, or null.</summary>
    private static string? ReadsNone(ModelDetector? detector, ScreenInput input)
        => detector?.Channels is { } channels && !detector.Reads(input.Channel) && (input.Documents.Count == 0 || !detector.Reads(Channel.Document))
            ? $"reads only {string.Join(" and ", channels.Select(ChannelNames.Name))}; the request has none"
            : null;

    private static string SkipReason(string category, ScreenInput input, IReadOnlyList<string> canaries)
        => category == DetectorCategory.Canary && canaries.Count == 0 ? "no canary tokens in the request or the tenant policy"
            : category == TenantRules.Category ? "the tenant policy has no ban, regex or topic rule for these channels"
            : $"policy does not apply category '{category}' to channel {ChannelNames.Name(input.Channel)}" + (input.Documents.Count > 0 ? " or document" : string.Empty);

    /// <summary>A decoded payload: the span of the text it was hidden in, how it was hidden, and the
    /// part of the decoded text that was hidden (the rest is plain context, already scanned).</summary>
    private sealed record HiddenPayload(int Start, int End, string HiddenAs, NormalizedText Normalized, int DecodedStart, int DecodedEnd)
    {
        /// <summary>A finding in the decoded text that touches what was hidden, not only the context.</summary>
        public bool Covers(Finding finding) => finding.End > DecodedStart && finding.Start < DecodedEnd;
    }

    /// <summary>A text waiting for ML detector <see cref="Model"/> (index into the scorer's
    /// detectors); <see cref="Hidden"/> is the payload it was decoded from; <see cref="Follows"/>, for
    /// a second tier, the first tier's pending score of the same text.</summary>
    private sealed record PendingScore(int Model, string Text, NormalizedText Normalized, string? DocumentId, HiddenPayload? Hidden, int Follows = -1);

    /// <summary>How a pending score was answered; <see cref="Finding"/> indexes the finding it gave, or -1.</summary>
    private readonly record struct PendingAnswer(bool Ran, float Score, int Finding);

    /// <summary>One request's scan. <see cref="Models"/> is read from the scorer once per request:
    /// workers may change model versions while the gateway runs.</summary>
    private sealed class ScanState(int cheap, IReadOnlyList<ModelDetector> models)
    {
        public IReadOnlyList<ModelDetector> Models { get; } = models;

        public List<PendingScore> Pending { get; } = [];

        /// <summary>One per scored pending entry, in the same order.</summary>
        public List<PendingAnswer> Answers { get; } = [];

        /// <summary>Findings (indexes) of a first tier that a second tier overruled.</summary>
        public HashSet<int> Overruled { get; } = [];

        /// <summary>Its run's reason: why a detector that applied did not run (a second tier with
        /// nothing undecided), or what part of one that ran was left out (the tenant rules' topics).</summary>
        public string?[] RunNote { get; } = new string?[cheap + models.Count];

        public DetectorStatus[] FailedStatus { get; } = Enumerable.Repeat(DetectorStatus.Failed, cheap + models.Count).ToArray();

        public string?[] Model { get; } = new string?[cheap + models.Count];

        public string?[] Version { get; } = new string?[cheap + models.Count];

        public List<Finding> Findings { get; } = [];

        public bool[] Ran { get; } = new bool[cheap + models.Count];

        public float[] MaxScore { get; } = new float[cheap + models.Count];

        public string?[] Failed { get; } = new string?[cheap + models.Count];

        /// <summary>Shadow for this request (registry status, else configuration).</summary>
        public bool[] Shadow { get; } = new bool[cheap + models.Count];

        /// <summary>The registry entry of a detector whose model is isolated.</summary>
        public ModelEntry?[] IsolatedEntry { get; } = new ModelEntry?[cheap + models.Count];

        /// <summary>Set when an isolated detector would have run on some text of the request.</summary>
        public ModelEntry?[] Isolated { get; } = new ModelEntry?[cheap + models.Count];

        public long[] Ticks { get; } = new long[cheap + models.Count];
    }
}
