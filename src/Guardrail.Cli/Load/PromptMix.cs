using System.Text;
using System.Text.Json;
using Guardrail.Contracts.V1;

namespace Guardrail.Cli.Load;

/// <summary>
/// The prompt mix of the load tests and benchmarks: loadtests/prompts.json (embedded here; the k6
/// scenarios read the same file), each text padded with ordinary prose to the requested length,
/// each with the verdict the default policy gives it. Calls take prompts in a fixed weighted
/// order (kind weights, e.g. benign=4,injection=2), so a run is repeatable.
/// </summary>
public sealed class PromptMix
{
    private readonly Prompt[] _schedule;

    private PromptMix(IReadOnlyList<Prompt> prompts, Prompt[] schedule)
    {
        Prompts = prompts;
        _schedule = schedule;
    }

    public sealed record Prompt(string Kind, string Text, Verdict Expect);

    /// <summary>Every prompt of the file once, padded (what benchmarks rotate through).</summary>
    public IReadOnlyList<Prompt> Prompts { get; }

    /// <summary>The prompt for call number <paramref name="call"/>.</summary>
    public Prompt At(long call) => _schedule[call % _schedule.Length];

    public static string[] Texts(int chars) => Load(chars).Prompts.Select(p => p.Text).ToArray();

    /// <param name="weights">"kind=weight,..." overriding the file's weights (0 leaves a kind out); null: the file's.</param>
    public static PromptMix Load(int chars, string? weights = null)
    {
        using var stream = typeof(PromptMix).Assembly.GetManifestResourceStream("prompts.json")
            ?? throw new InvalidOperationException("prompts.json is not embedded in guardrailctl");
        using var file = JsonDocument.Parse(stream);
        var padding = file.RootElement.GetProperty("padding").GetString()!;
        var prompts = file.RootElement.GetProperty("prompts").EnumerateArray().Select(p => new Prompt(
            p.GetProperty("kind").GetString()!,
            Pad(p.GetProperty("text").GetString()!, padding, chars),
            ParseVerdict(p.GetProperty("expect").GetString()!))).ToList();
        var kindWeights = file.RootElement.GetProperty("weights").EnumerateObject().ToDictionary(w => w.Name, w => w.Value.GetInt32(), StringComparer.Ordinal);
        foreach (var (kind, weight) in ParseWeights(weights))
        {
            if (!kindWeights.ContainsKey(kind))
            {
                throw new UsageException($"--mix: unknown prompt kind '{kind}' (kinds: {string.Join(", ", kindWeights.Keys)})");
            }

            kindWeights[kind] = weight;
        }

        if (kindWeights.Values.Sum() == 0)
        {
            throw new UsageException("--mix leaves no prompt kind with a weight above 0");
        }

        // One cycle holds every prompt of a kind weight-many times, so each kind's share is its
        // weight's and each prompt within a kind comes equally often.
        var byKind = prompts.GroupBy(p => p.Kind).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        var cycle = byKind.Values.Aggregate(1, (lcm, group) => Lcm(lcm, group.Length));
        var schedule = new List<Prompt>();
        for (var round = 0; round < cycle; round++)
        {
            foreach (var (kind, weight) in kindWeights)
            {
                for (var w = 0; w < weight; w++)
                {
                    var group = byKind[kind];
                    schedule.Add(group[(round * weight + w) % group.Length]);
                }
            }
        }

        return new PromptMix(prompts, Interleave(schedule));
    }

    private static IEnumerable<(string Kind, int Weight)> ParseWeights(string? weights)
    {
        foreach (var part in (weights ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !int.TryParse(part[(eq + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var weight))
            {
                throw new UsageException($"--mix: expected kind=weight (a whole number), got '{part}'");
            }

            yield return (part[..eq], weight);
        }
    }

    // Spread kinds through the cycle (a stride coprime with its length), so a short run still sees every kind.
    private static Prompt[] Interleave(List<Prompt> schedule)
    {
        var n = schedule.Count;
        var stride = Enumerable.Range(1, n).Reverse().First(s => s <= Math.Max(1, (int)(n * 0.618)) && Gcd(s, n) == 1);
        return Enumerable.Range(0, n).Select(i => schedule[(int)((long)i * stride % n)]).ToArray();
    }

    private static Verdict ParseVerdict(string name)
        => ScreenReflection.Descriptor.EnumTypes.Single(e => e.Name == nameof(Verdict)).FindValueByName(name) is { } value
            ? (Verdict)value.Number
            : throw new InvalidOperationException($"prompts.json: '{name}' is not a Verdict");

    private static string Pad(string seed, string padding, int chars)
    {
        var builder = new StringBuilder(seed, chars + padding.Length);
        builder.Append(' ');
        while (builder.Length < chars)
        {
            builder.Append(padding);
        }

        var text = builder.ToString();
        return text.Length <= chars || char.IsLowSurrogate(text[chars]) ? text : text[..chars];
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);

    private static int Lcm(int a, int b) => a / Gcd(a, b) * b;
}
