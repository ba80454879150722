using System.Text.Json;
using Guardrail.Detection.Detectors;
using Guardrail.Detection.Models;
using Guardrail.Detection.Training;

namespace Guardrail.Detection.Tests;

/// <summary>
/// The leave-one-source-out evaluator with a trainer that learns words: each attack source uses a
/// word of its own, so a fold can only catch a source's attacks if that source was trained on.
/// </summary>
public sealed class LeaveOneSourceOutTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("loso-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public void Each_training_source_is_scored_by_a_model_trained_without_it()
    {
        Write("set1/alpha.jsonl", Rows(1, "alpha attack", 20));
        Write("set1/beta.jsonl", Rows(1, "beta attack", 20));
        Write("set1/beta_again.jsonl", Rows(1, "beta again", 10)); // another source of beta's kind
        Write("set2/chat.jsonl", Rows(0, "hello friend", 50));
        Write("set2/heldout_chat.jsonl", Rows(0, "good morning", 200));
        Write("set1/heldout_gamma.jsonl", Rows(1, "alpha gamma", 10));
        Write("set4/documents.jsonl", Rows(1, "alpha document", 10)); // attacks of another kind: benign to this model
        var trainedOn = new List<IReadOnlyList<string>>();
        var sources = new List<EvaluationSource>
        {
            new("set1/alpha.jsonl", SourceKind.Prompts, Trained: true),
            new("set1/beta.jsonl", SourceKind.Prompts, Trained: true),
            new("set1/beta_again.jsonl", SourceKind.Prompts, Trained: true),
            new("set2/chat.jsonl", SourceKind.Prompts, Trained: true),
            new("set2/heldout_chat.jsonl", SourceKind.Prompts, Trained: false),
            new("set1/heldout_gamma.jsonl", SourceKind.Prompts, Trained: false),
            new("set4/documents.jsonl", SourceKind.Documents, Trained: false, Benign: true),
        };

        var results = LeaveOneSourceOut.Run(_data, sources, entries =>
        {
            trainedOn.Add(entries);
            var words = entries.SelectMany(e => TrainingData.ReadEntry(_data, e)).Where(r => r.Label == 1).Select(r => r.Text.Split(' ')[0]).ToHashSet();
            return texts => [.. texts.Select(t => words.Contains(t.Split(' ')[0]) ? 0.9f : 0.1f)];
        }, _ => { });

        Assert.Equal(5, trainedOn.Count); // four folds and the model of every training source
        Assert.Equal(["set1/beta.jsonl", "set1/beta_again.jsonl", "set2/chat.jsonl"], trainedOn[0]);
        Assert.Equal(["set1/alpha.jsonl", "set1/beta.jsonl", "set1/beta_again.jsonl", "set2/chat.jsonl"], trainedOn[4]);
        var byEntry = results.ToDictionary(r => r.Source.Entry);
        Assert.Equal(0.0, byEntry["set1/alpha.jsonl"].TprAt1PctFpr); // its word is in no other source
        Assert.Equal(1.0, byEntry["set1/beta.jsonl"].TprAt1PctFpr); // learnt from the other beta source
        Assert.Equal(1.0, byEntry["set1/heldout_gamma.jsonl"].TprAt1PctFpr); // scored by the model that saw alpha
        Assert.Equal(200, byEntry["set1/alpha.jsonl"].ReferenceRows); // held-out benign only: chat trains
        Assert.Equal(0, byEntry["set2/heldout_chat.jsonl"].ReferenceRows); // its own rows are never its reference
        Assert.Equal(0.0, byEntry["set2/heldout_chat.jsonl"].NegativesFlagged);
        Assert.Equal((0, 10, 1.0), (byEntry["set4/documents.jsonl"].Positives, byEntry["set4/documents.jsonl"].Negatives, byEntry["set4/documents.jsonl"].NegativesFlagged));
        Assert.Equal(200, byEntry["set1/heldout_gamma.jsonl"].ReferenceRows); // benign prompts of the other held-out sources, not documents

        // The table a model card records: pooled as the targets are stated, per source as printed.
        var table = LeaveOneSourceOut.Table(results, "digest", new DateTimeOffset(2026, 12, 8, 23, 30, 0, TimeSpan.FromHours(-2)));
        Assert.Equal("2026-12-09", table.Measured); // UTC
        Assert.Equal((60.0, 4.0), (table.Pooled["prompt_attacks"], table.Pooled["prompt_attack_sources"]));
        Assert.Equal(40.0 / 60, table.Pooled["prompt_attacks_tpr_at_1pct_fpr"], 6); // alpha 0 of 20 caught; beta 20, beta_again 10, gamma 10
        Assert.Equal((250.0, 0.0), (table.Pooled["prompts_benign"], table.Pooled["prompts_benign_flagged"]));
        Assert.Equal((10.0, 1.0), (table.Pooled["documents_benign"], table.Pooled["documents_benign_flagged"]));
        Assert.False(table.Pooled.ContainsKey("document_attacks"));
        var chat = table.Sources.Single(r => r.Source == "set2/heldout_chat.jsonl");
        Assert.Equal(("prompts", "held out", (double?)null, (double?)0.0), (chat.Kind, chat.Recipe, chat.TprAt1PctFpr, chat.NegativesFlagged));
        Assert.Equal("trains", table.Sources.Single(r => r.Source == "set1/alpha.jsonl").Recipe);

        // It survives the card's JSON as written and read.
        var path = Path.Combine(_data, "card.json");
        var card = ModelCard.Read(Path.Combine(new DetectionOptions().ModelDirectory, "injection-classifier.card.json"));
        File.WriteAllText(path, (card with { LeaveOneSourceOut = table }).ToJson());
        var read = ModelCard.Read(path).LeaveOneSourceOut!;
        Assert.Equal(table.Sources, read.Sources);
        Assert.Equal(table.Pooled.OrderBy(p => p.Key), read.Pooled.OrderBy(p => p.Key));
        var json = File.ReadAllText(path);
        Assert.Contains("\"leave_one_source_out\"", json, StringComparison.Ordinal);
        Assert.Contains("\"tpr_at_1pct_fpr\"", json, StringComparison.Ordinal); // named as the card's metrics are
        Assert.Contains("\"negatives_above_1pct_point\"", json, StringComparison.Ordinal);
    }

    private void Write(string entry, IEnumerable<string> lines)
    {
        var path = Path.Combine(_data, entry);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, lines);
    }

    private static IEnumerable<string> Rows(int label, string text, int count)
        => Enumerable.Range(0, count).Select(i => JsonSerializer.Serialize(new { text = $"{text} {i}", label }));
}
