namespace Guardrail.Detection.Training;

/// <summary>What a source's benign rows are measured as: everyday prompts (the reference the 1 %
/// point is set on), look-alikes (benign prompts that look like attacks), or documents (clean
/// content, the reference for document injection).</summary>
public enum SourceKind
{
    Prompts,
    LookAlikes,
    Documents,
}

/// <summary>One source of the evaluation: a recipe entry, what its benign rows are, and whether the
/// recipe trains on it (then its fold trains on every other training source). <see cref="Benign"/>:
/// every row counts as a negative for this model (a document set's injected rows carry no
/// adversarial suffix).</summary>
public sealed record EvaluationSource(string Entry, SourceKind Kind, bool Trained, bool Benign = false)
{
    /// <summary>A source the model's flag and block points were set on: scored and listed, but never
    /// part of a reference (the points were chosen on it).</summary>
    public bool Calibrates { get; init; }
}

/// <summary>One line of the table. The 1 % and 0.1 % points are the scores above which that share
/// of the reference (held-out benign of the same kind, this source excluded) falls; "flagged" is at
/// the model's own flag point (calibrated 0.5).</summary>
public sealed record SourceResult(
    EvaluationSource Source, int Positives, int Negatives, int ReferenceRows,
    double Auc, double TprAt1PctFpr, double TprAt01PctFpr, double PositivesFlagged,
    double NegativesAbove1PctPoint, double NegativesFlagged)
{
    /// <summary>Positives caught at the 1 % point, for pooling over sources (each fold has its own point).</summary>
    public int CaughtAt1Pct => (int)Math.Round(TprAt1PctFpr * Positives);

    public int CaughtAt01Pct => (int)Math.Round(TprAt01PctFpr * Positives);
}

/// <summary>
/// Leave-one-source-out: for every source the recipe trains on, a model trained on every other
/// training source scores it; every source it does not train on is scored by the model trained on
/// them all. Each source is so measured by a model that never saw it, and the reference it is
/// measured against (the benign rows of the held-out sources of its kind, itself excluded) is never
/// trained on either. Whole sources, never rows: a row-hash split flatters a model, since rows of
/// one source share templates, lengths and languages.
/// </summary>
public static class LeaveOneSourceOut
{
    /// <param name="train">Trains on the given entries and returns a batch scorer (calibrated scores);
    /// called once per training source, plus once with every training entry.</param>
    public static List<SourceResult> Run(
        string dataDirectory, IReadOnlyList<EvaluationSource> sources,
        Func<IReadOnlyList<string>, Func<IReadOnlyList<string>, float[]>> train, Action<string> log)
    {
        var rows = sources.ToDictionary(s => s.Entry, s => TrainingData.ReadEntry(dataDirectory, s.Entry));
        var training = sources.Where(s => s.Trained).Select(s => s.Entry).ToList();
        var benign = sources.Where(s => s.Benign).Select(s => s.Entry).ToHashSet(StringComparer.Ordinal);
        var results = new List<SourceResult>();
        foreach (var source in sources.Where(s => s.Trained))
        {
            log($"fold {results.Count + 1} of {training.Count + 1}: training without {source.Entry}");
            var scores = new ModelScores(train([.. training.Where(e => e != source.Entry)]), rows, benign);
            results.Add(Measure(source, sources, scores));
        }

        var heldOut = sources.Where(s => !s.Trained).ToList();
        if (heldOut.Count > 0)
        {
            log($"fold {training.Count + 1} of {training.Count + 1}: training on every training source, for the {heldOut.Count} sources never trained on");
            var scores = new ModelScores(train(training), rows, benign);
            results.AddRange(heldOut.Select(s => Measure(s, sources, scores)));
        }

        return results;
    }

    /// <summary>The pooled lines the targets are stated in: per attack kind (prompts, documents) the
    /// attacks and sources pooled and the share caught at the 1 % and 0.1 % points; per benign kind
    /// (prompts, look-alikes, documents; calibration sources left out) the rows and sources and the
    /// share flagged at the model's flag point. Keys: e.g. prompt_attacks, prompt_attack_sources,
    /// prompt_attacks_tpr_at_1pct_fpr, prompt_attacks_tpr_at_0_1pct_fpr, lookalikes_benign,
    /// lookalikes_benign_sources, lookalikes_benign_flagged.</summary>
    public static Dictionary<string, double> Pooled(IReadOnlyList<SourceResult> results)
    {
        var pooled = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (kind, name) in new[] { (SourceKind.Prompts, "prompt"), (SourceKind.Documents, "document") })
        {
            var attacks = results.Where(r => r.Positives > 0 && (kind == SourceKind.Documents) == (r.Source.Kind == SourceKind.Documents)).ToList();
            var positives = attacks.Sum(r => r.Positives);
            if (positives > 0)
            {
                pooled[$"{name}_attacks"] = positives;
                pooled[$"{name}_attack_sources"] = attacks.Count;
                pooled[$"{name}_attacks_tpr_at_1pct_fpr"] = attacks.Sum(r => r.CaughtAt1Pct) / (double)positives;
                pooled[$"{name}_attacks_tpr_at_0_1pct_fpr"] = attacks.Sum(r => r.CaughtAt01Pct) / (double)positives;
            }
        }

        foreach (var (kind, name) in new[] { (SourceKind.Prompts, "prompts"), (SourceKind.LookAlikes, "lookalikes"), (SourceKind.Documents, "documents") })
        {
            var benign = results.Where(r => r.Source.Kind == kind && r.Negatives > 0 && !r.Source.Calibrates).ToList();
            var negatives = benign.Sum(r => r.Negatives);
            if (negatives > 0)
            {
                pooled[$"{name}_benign"] = negatives;
                pooled[$"{name}_benign_sources"] = benign.Count;
                pooled[$"{name}_benign_flagged"] = benign.Sum(r => r.NegativesFlagged * r.Negatives) / negatives;
            }
        }

        return pooled;
    }

    /// <summary>The table as a model card records it.</summary>
    public static Models.LeaveOneSourceOutTable Table(IReadOnlyList<SourceResult> results, string dataDigest, DateTimeOffset measured)
    {
        static double? Share(double value, bool applies) => applies && !double.IsNaN(value) ? value : null;
        return new Models.LeaveOneSourceOutTable(
            measured.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            dataDigest,
            [.. results.Select(r => new Models.LeaveOneSourceOutRow(
                r.Source.Entry, r.Source.Kind.ToString().ToLowerInvariant(), Recipe(r.Source), r.Positives, r.Negatives,
                Share(r.Auc, true), Share(r.TprAt1PctFpr, r.Positives > 0), Share(r.TprAt01PctFpr, r.Positives > 0), Share(r.PositivesFlagged, r.Positives > 0),
                Share(r.NegativesAbove1PctPoint, r.Negatives > 0), Share(r.NegativesFlagged, r.Negatives > 0)))],
            Pooled(results));
    }

    /// <summary>What the recipe does with a source: trains, calibrates or held out.</summary>
    public static string Recipe(EvaluationSource source) => source.Trained ? "trains" : source.Calibrates ? "calibrates" : "held out";

    private static SourceResult Measure(EvaluationSource source, IReadOnlyList<EvaluationSource> sources, ModelScores scores)
    {
        var kind = source.Kind == SourceKind.Documents ? SourceKind.Documents : SourceKind.Prompts;
        var referenceScores = sources.Where(s => !s.Trained && !s.Calibrates && s.Kind == kind && s.Entry != source.Entry)
            .SelectMany(s => scores.Of(s.Entry, label: 0)).ToList();
        var positives = scores.Of(source.Entry, label: 1);
        var negatives = scores.Of(source.Entry, label: 0);
        var at1Pct = DetectionMetrics.ThresholdAtFpr(referenceScores, 0.01);
        return new SourceResult(
            source, positives.Count, negatives.Count, referenceScores.Count,
            DetectionMetrics.Auc(positives, negatives.Count > 0 ? negatives : referenceScores),
            DetectionMetrics.TprAtFpr(positives, referenceScores, 0.01),
            DetectionMetrics.TprAtFpr(positives, referenceScores, 0.001),
            DetectionMetrics.RateAtLeast(positives, Evaluation.FlagPoint),
            DetectionMetrics.RateAbove(negatives, at1Pct),
            DetectionMetrics.RateAtLeast(negatives, Evaluation.FlagPoint));
    }

    /// <summary>One model's scores, each source scored once, when first asked for.</summary>
    private sealed class ModelScores(Func<IReadOnlyList<string>, float[]> score, Dictionary<string, List<LabeledText>> rows, IReadOnlySet<string> benignEntries)
    {
        private readonly Dictionary<string, float[]> _scored = [];

        public List<float> Of(string entry, int label)
        {
            if (!_scored.TryGetValue(entry, out var scores))
            {
                _scored[entry] = scores = ScoreAll([.. rows[entry].Select(r => r.Text)], score);
            }

            var benign = benignEntries.Contains(entry);
            return [.. rows[entry].Select((r, i) => (Label: benign ? 0 : r.Label, Score: scores[i])).Where(x => x.Label == label).Select(x => x.Score)];
        }
    }

    private static float[] ScoreAll(IReadOnlyList<string> texts, Func<IReadOnlyList<string>, float[]> score)
    {
        var scores = new float[texts.Count];
        for (var start = 0; start < texts.Count; start += 64)
        {
            score([.. texts.Skip(start).Take(64)]).CopyTo(scores, start);
        }

        return scores;
    }
}
