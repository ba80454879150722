using System.Text.Json;
using Guardrail.Core.Detectors;

namespace Guardrail.Core.Tests;

/// <summary>
/// Person names and postal addresses, on the labelled sample in data/names-and-addresses.jsonl
/// (50 sentences written for this test: 25 with names or addresses of several languages and
/// origins, 25 with capitalised words that are not, such as products, places and titles). A
/// finding counts when it covers exactly a labelled span.
/// </summary>
public class NamesAndAddressesTests
{
    private static readonly PiiDetector Detector = new();

    private sealed record Labelled(string Text, string[] Names, string[] Addresses);

    private static readonly List<Labelled> Sample = [.. File.ReadLines(Path.Combine(AppContext.BaseDirectory, "data", "names-and-addresses.jsonl"))
        .Select(line => JsonSerializer.Deserialize<Labelled>(line, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!)];

    [Theory]
    [InlineData("person-name", 0.9, 0.6)]
    [InlineData("postal-address", 0.95, 0.9)]
    public void Precision_and_recall_on_the_labelled_sample(string rule, double minPrecision, double minRecall)
    {
        int found = 0, correct = 0, labelled = 0;
        var misses = new List<string>();
        foreach (var row in Sample)
        {
            var spans = Scan.With(Detector, row.Text).Where(f => f.Rule == rule).Select(f => f.Covered(row.Text)).ToList();
            var truth = rule == "person-name" ? row.Names : row.Addresses;
            found += spans.Count;
            correct += spans.Count(truth.Contains);
            labelled += truth.Length;
            misses.AddRange(spans.Where(s => !truth.Contains(s)).Select(s => $"extra '{s}'"));
            misses.AddRange(truth.Where(t => !spans.Contains(t)).Select(t => $"missed '{t}'"));
        }

        var precision = correct / (double)found;
        var recall = correct / (double)labelled;
        Assert.True(precision >= minPrecision && recall >= minRecall,
            $"{rule}: precision {precision:0.00} ({correct}/{found}), recall {recall:0.00} ({correct}/{labelled}): {string.Join("; ", misses)}");
    }

    [Theory]
    [InlineData("Will Python 3.12 support this?")]
    [InlineData("May I ask about the Roman Empire?")]
    [InlineData("I visited the Jordan River and Florence Hospital.")]
    [InlineData("john smith lives at baker street")] // lower case: not read as a name or an address
    public void Capitalised_words_that_are_not_people_are_left_alone(string text)
        => Assert.DoesNotContain(Scan.With(Detector, text), f => f.Rule is "person-name" or "postal-address");

    [Fact]
    public void A_name_in_a_long_text_costs_microseconds_not_a_scan_per_word()
    {
        // Every capitalised word looks a few characters back for a cue ("Dear", "my name is"), never to the text's start.
        var text = string.Concat(Enumerable.Repeat("Alice Johnson met Bob at Station Road. ", 5_000));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var findings = Scan.With(Detector, text);
        Assert.Equal(5_000, findings.Count(f => f.Rule == "person-name"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}"); // quadratic work would take minutes
    }
}
