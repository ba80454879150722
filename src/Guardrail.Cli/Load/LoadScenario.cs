namespace Guardrail.Cli.Load;

/// <summary>
/// The load scenarios, the same as the k6 scripts in loadtests/k6/scenarios: what traffic runs in
/// which phase, and what is checked on each answer.
/// </summary>
public enum LoadScenario
{
    /// <summary>One caller, every prompt of the mix, every verdict checked: does it work at all.</summary>
    Smoke,

    /// <summary>Steady traffic at a rate or concurrency: throughput and latency.</summary>
    Load,

    /// <summary>A base rate, a burst at --spike-factor times it, the base again: does it absorb and recover.</summary>
    Spike,

    /// <summary>Steady traffic for long, one row per --report-s: does anything drift.</summary>
    Soak,

    /// <summary>The first tenant key floods, the others call slowly: only the flooder is throttled.</summary>
    TenantQuota,

    /// <summary>Traffic to two target models; the first is isolated mid-run and restored: only its answers change.</summary>
    IsolationDrill,
}

public static class LoadScenarios
{
    /// <summary>The scenarios' names, in the enum's order.</summary>
    public static readonly IReadOnlyList<string> Names = ["smoke", "load", "spike", "soak", "tenant-quota", "isolation-drill"];

    public static LoadScenario Parse(string? name)
    {
        var index = Names.ToList().IndexOf(name ?? "load");
        return index >= 0 ? (LoadScenario)index : throw new UsageException($"--scenario must be one of {string.Join(", ", Names)} (was '{name}')");
    }

    public static int DefaultDurationSeconds(LoadScenario scenario) => scenario switch
    {
        LoadScenario.Smoke => 5,
        LoadScenario.Soak => 600,
        LoadScenario.TenantQuota => 20,
        _ => 30,
    };

    /// <summary>Calls per second; 0 for closed loop (as fast as answers come).</summary>
    public static int DefaultRate(LoadScenario scenario) => scenario switch
    {
        LoadScenario.Smoke => 20,
        LoadScenario.Spike => 50,
        _ => 0,
    };

    public static int DefaultConcurrency(LoadScenario scenario) => scenario switch
    {
        LoadScenario.Smoke => 1,
        LoadScenario.Spike => 64,
        _ => 8,
    };
}
