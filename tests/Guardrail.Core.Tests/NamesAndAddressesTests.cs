using System.Text.Json;
using Guardrail.Core.Detectors;

namespace Guardrail.Core.Tests;

/// <summary>
/// Person names and postal addresses, on the labelled sample in data/names-and-addresses.jsonl
/// (70 sentences written for this test: the first 50 with names or addresses of several languages
/// and origins and with capitalised words that are not, such as products, places and titles; 20
/// more in Russian, Greek, Chinese, Japanese, Korean, Arabic and Persian, with romanised Asian and
/// Arabic names, and their look-alikes). A finding counts when it covers exactly a labelled span.
/// </summary>
public class NamesAndAddressesTests
{
    private static readonly PiiDetector Detector = new();

    private sealed record Labelled(string Text, string[] Names, string[] Addresses);

    private static readonly List<Labelled> Sample = [.. File.ReadLines(Path.Combine(AppContext.BaseDirectory, "data", "names-and-addresses.jsonl"))
        .Select(line => JsonSerializer.Deserialize<Labelled>(line, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!)];

    [Theory]
    [InlineData("person-name", 0.95, 0.85)]
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

    [Theory]
    [InlineData("Меня зовут Иван Петров.", "Иван Петров")]
    [InlineData("Иванов Иван Сергеевич, 1985 г.р.", "Иванов Иван Сергеевич")]
    [InlineData("Ο Γεώργιος Παπαδόπουλος είναι εδώ.", "Γεώργιος Παπαδόπουλος")]
    [InlineData("我叫王伟，是一名学生。", "王伟")]
    [InlineData("感谢王先生的帮助。", "王")] // not 谢王: 谢 is a surname too
    [InlineData("李明老师今天不在。", "李明")]
    [InlineData("佐藤さん、こんにちは。", "佐藤")]
    [InlineData("제 이름은 이민호입니다.", "이민호")]
    [InlineData("اسمي أحمد علي وأنا من القاهرة.", "أحمد علي")] // علي listed with Persian yeh (علی)
    [InlineData("اسم من مریم است.", "مریم")]
    [InlineData("Ask Wei Zhang or Fatima Khan.", "Wei Zhang")]
    [InlineData("Georgios Papadopoulos met the team.", "Georgios Papadopoulos")] // the Greek lists in Latin letters
    [InlineData("Hi Jennifer, the report is late.", "Jennifer")] // a lone given name after a greeting
    [InlineData("Can you remind Tomasz about the invoice?", "Tomasz")]
    public void Names_in_other_scripts_and_origins_and_lone_given_names_are_found(string text, string name)
        => Assert.Contains(Scan.With(Detector, text), f => f.Rule == "person-name" && f.Covered(text) == name);

    [Theory]
    [InlineData("Уважаемые Коллеги, встреча переносится.")] // a capitalised noun after a Russian cue: only listed names count
    [InlineData("我们的数学老师很好，语文老师也很好。")] // 文 is a surname, 语文老师 is "the Chinese teacher"
    [InlineData("项目经理明天来。")]
    [InlineData("此外，课程还将教授如何写报告。")] // 教授 is also "to teach"
    [InlineData("고객님 감사합니다.")] // 고 is a surname; 고객 is "customer"
    [InlineData("The talk is at George Mason University.")] // a name before an institution's noun is the institution's
    [InlineData("Will Do it tomorrow.")] // "Do" is left out of the romanised surnames
    [InlineData("Better Call Saul is a series.")] // a capitalised cue mid-sentence is a title's word
    [InlineData("Let it Be, Hey Jude, Yesterday.")]
    [InlineData("Hey Alexa, play some music.")] // an assistant's name
    public void Look_alikes_in_other_scripts_are_left_alone(string text)
        => Assert.DoesNotContain(Scan.With(Detector, text), f => f.Rule == "person-name");

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
