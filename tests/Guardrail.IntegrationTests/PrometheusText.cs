using System.Globalization;
using System.Text.RegularExpressions;

namespace Guardrail.IntegrationTests;

/// <summary>A scraped /metrics page (Prometheus text format), read into samples so tests look up
/// a series by name and the labels they care about, whatever other labels the exporter adds
/// (OpenTelemetry's otel_scope_name).</summary>
public sealed partial class PrometheusText(string page)
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = Parse(page);

    /// <summary>The value of the one series of <paramref name="name"/> whose labels include these, or null.</summary>
    public double? Value(string name, params (string Key, string Value)[] labels)
    {
        var matching = _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();
        return matching.Count switch
        {
            0 => null,
            1 => matching[0].Value,
            _ => throw new InvalidOperationException($"{matching.Count} series of {name} match {string.Join(",", labels)}"),
        };
    }

    public bool Has(string name) => _samples.Any(s => s.Name == name);

    /// <summary>Every series of <paramref name="name"/>, with its labels.</summary>
    public IEnumerable<(IReadOnlyDictionary<string, string> Labels, double Value)> Samples(string name)
        => _samples.Where(s => s.Name == name).Select(s => ((IReadOnlyDictionary<string, string>)s.Labels, s.Value));

    private static List<(string, Dictionary<string, string>, double)> Parse(string page)
    {
        var samples = new List<(string, Dictionary<string, string>, double)>();
        foreach (var line in page.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var match = Sample().Match(line);
            if (!match.Success)
            {
                throw new FormatException($"not a Prometheus sample line: {line}");
            }

            var labels = Label().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            var value = match.Groups["value"].Value switch { "+Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity, var v => double.Parse(v, CultureInfo.InvariantCulture) };
            samples.Add((match.Groups["name"].Value, labels, value));
        }

        return samples;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$")]
    private static partial Regex Sample();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
