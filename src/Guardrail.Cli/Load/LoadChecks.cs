using System.Collections.Concurrent;

namespace Guardrail.Cli.Load;

/// <summary>Named pass/fail counts over a run's answers (the k6 scripts' checks), with the first
/// failure of each kept as an example.</summary>
public sealed class LoadChecks
{
    private readonly ConcurrentDictionary<string, Tally> _checks = new(StringComparer.Ordinal);

    public bool AllPassed => _checks.Values.All(t => t.Failed == 0);

    public IEnumerable<(string Name, long Passed, long Failed, string? Example)> Results
        => _checks.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => (c.Key, c.Value.Passed, c.Value.Failed, c.Value.Example));

    public void Record(string name, bool passed, Func<string> explain)
    {
        var tally = _checks.GetOrAdd(name, _ => new Tally());
        if (passed)
        {
            Interlocked.Increment(ref tally.Passed);
        }
        else if (Interlocked.Increment(ref tally.Failed) == 1)
        {
            tally.Example = explain();
        }
    }

    private sealed class Tally
    {
        public long Passed;
        public long Failed;
        public string? Example;
    }
}
