using System.Globalization;
using Orleans;

namespace Guardrail.State.Isolation;

[GenerateSerializer]
public enum IsolationMode
{
    Off,

    /// <summary>Flag the model to operators (audit record, metric, log line); do not isolate it.</summary>
    Suggest,

    /// <summary>Isolate the model with the rule's fallback, as an operator's IsolateModel would.</summary>
    Auto,
}

/// <summary>The rule in force for one target model (<see cref="IsolationRuleOptions.RuleFor"/>).</summary>
[GenerateSerializer]
public sealed record IsolationRule(
    [property: Id(0)] IsolationMode Mode,
    [property: Id(1)] int WindowSeconds,
    [property: Id(2)] int MinOutputs,
    [property: Id(3)] double BlockedRate,
    [property: Id(4)] string Fallback)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Mode.ToString().ToLowerInvariant()} at {BlockedRate:P0} blocked of at least {MinOutputs} outputs in {WindowSeconds} s");
}

/// <summary>What one gateway screened of one target model's output since its last report: how many
/// outputs, how many it blocked, the blocked ones' request ids (the newest, at most
/// <see cref="BlockedOutputWindow.MaxRequestIds"/>) and the policy categories that blocked them.
/// Ids and counts only, never text.</summary>
[GenerateSerializer]
public sealed record ModelOutputReport(
    [property: Id(0)] long NowMs,
    [property: Id(1)] int Outputs,
    [property: Id(2)] int Blocked,
    [property: Id(3)] string[] BlockedRequestIds,
    [property: Id(4)] Dictionary<string, int> BlockedCategories);

/// <summary>A rule crossed: the evidence over the window that crossed it.</summary>
[GenerateSerializer]
public sealed record IsolationTrigger(
    [property: Id(0)] string ModelId,
    [property: Id(1)] IsolationRule Rule,
    [property: Id(2)] int Outputs,
    [property: Id(3)] int Blocked,
    [property: Id(4)] Dictionary<string, int> Categories,
    [property: Id(5)] string[] RequestIds,
    [property: Id(6)] long AtMs)
{
    /// <summary>The isolation's reason, shown in every verdict for the model: the counts.</summary>
    public string Reason() => string.Create(CultureInfo.InvariantCulture,
        $"isolation rule: {Blocked} of {Outputs} outputs blocked ({(double)Blocked / Outputs:P0}) in {Rule.WindowSeconds} s");

    /// <summary>The audit record's detail: counts, categories and request ids (to find the blocked
    /// records in the audit log), never text.</summary>
    public string Evidence()
    {
        var categories = string.Join(", ", Categories.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}×{c.Value}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"isolation rule ({Rule.Describe()}): {Blocked} of {Outputs} outputs blocked ({(double)Blocked / Outputs:P0}) in the last {Rule.WindowSeconds} s; blocked by {categories}; newest blocked request ids {string.Join(" ", RequestIds)}");
    }
}
