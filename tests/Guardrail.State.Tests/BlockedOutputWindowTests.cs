using Guardrail.State.Isolation;

namespace Guardrail.State.Tests;

public sealed class BlockedOutputWindowTests
{
    private static readonly IsolationRule Auto = new(IsolationMode.Auto, WindowSeconds: 10, MinOutputs: 10, BlockedRate: 0.5, Fallback: "safe-model");

    private static ModelOutputReport Report(long nowMs, int outputs, int blocked, params string[] ids)
        => new(nowMs, outputs, blocked, ids, blocked == 0 ? [] : new Dictionary<string, int> { ["canary"] = blocked });

    [Fact]
    public void A_rate_over_the_rule_acts_only_once_the_window_holds_enough_outputs()
    {
        var window = new BlockedOutputWindow();
        Assert.Null(window.Add("m", Report(1_000, 4, 4, "r1", "r2", "r3", "r4"), Auto)); // 100 % of 4: too few to judge
        Assert.Null(window.Add("m", Report(2_000, 5, 0), Auto)); // 4 of 9
        var trigger = window.Add("m", Report(3_000, 1, 1, "r5"), Auto); // 5 of 10: at the rate
        Assert.NotNull(trigger);
        Assert.Equal((10, 5), (trigger.Outputs, trigger.Blocked));
        Assert.Equal(["r1", "r2", "r3", "r4", "r5"], trigger.RequestIds);
        Assert.Equal(5, trigger.Categories["canary"]);
        Assert.Equal((0, 0), (window.Outputs, window.Blocked)); // the window starts afresh
        Assert.Contains("5 of 10 outputs blocked (50 %) in the last 10 s", trigger.Evidence(), StringComparison.Ordinal);
        Assert.Contains("canary×5", trigger.Evidence(), StringComparison.Ordinal);
        Assert.Contains("r1 r2 r3 r4 r5", trigger.Evidence(), StringComparison.Ordinal);
    }

    [Fact]
    public void Outputs_older_than_the_window_stop_counting()
    {
        var window = new BlockedOutputWindow();
        Assert.Null(window.Add("m", Report(0, 9, 9), Auto));
        Assert.Null(window.Add("m", Report(10_000, 9, 0), Auto)); // the first second left the window: 0 of 9
        Assert.Equal((9, 0), (window.Outputs, window.Blocked));
        Assert.Null(window.Add("m", Report(10_500, 2, 2), Auto)); // 2 of 11
        Assert.Null(window.Add("m", Report(19_999, 0, 0), Auto));
        Assert.Equal((11, 2), (window.Outputs, window.Blocked)); // second 10 (both of its reports) is still in
    }

    [Fact]
    public void A_rate_under_the_rule_never_acts_and_mode_off_counts_but_never_acts()
    {
        var window = new BlockedOutputWindow();
        for (var second = 0; second < 30; second++)
        {
            Assert.Null(window.Add("m", Report(second * 1_000L, 10, 4), Auto)); // 40 %
        }

        var off = new BlockedOutputWindow();
        Assert.Null(off.Add("m", Report(0, 100, 100), Auto with { Mode = IsolationMode.Off }));
        Assert.Equal((100, 100), (off.Outputs, off.Blocked));
    }

    [Fact]
    public void A_suggestion_rests_for_one_window_and_an_auto_rule_may_act_again_at_once()
    {
        var suggest = Auto with { Mode = IsolationMode.Suggest };
        var window = new BlockedOutputWindow();
        Assert.NotNull(window.Add("m", Report(0, 10, 10), suggest));
        Assert.Null(window.Add("m", Report(5_000, 10, 10), suggest)); // resting
        Assert.Null(window.Add("m", Report(9_999, 0, 0), suggest));
        Assert.NotNull(window.Add("m", Report(10_000, 0, 0), suggest)); // rest over; second 5's ten still count

        // Auto: the gateway that gets a second trigger finds the model isolated in the registry.
        var auto = new BlockedOutputWindow();
        Assert.NotNull(auto.Add("m", Report(0, 10, 10), Auto));
        Assert.NotNull(auto.Add("m", Report(100, 10, 10), Auto));
    }

    [Fact]
    public void Evidence_keeps_the_newest_request_ids_only()
    {
        var window = new BlockedOutputWindow();
        var ids = Enumerable.Range(0, 50).Select(i => $"r{i}").ToArray();
        var trigger = window.Add("m", Report(0, 50, 50, ids), Auto);
        Assert.NotNull(trigger);
        Assert.Equal(ids[^BlockedOutputWindow.MaxRequestIds..], trigger.RequestIds);
    }

    [Fact]
    public void Rules_come_from_the_default_and_each_model_overrides_what_it_sets()
    {
        var options = new IsolationRuleOptions
        {
            Default = new IsolationRuleSettings { WindowSeconds = 30 },
            Models = { ["gpt-x"] = new IsolationRuleSettings { Mode = "auto", Fallback = "gpt-safe" } },
        };
        Assert.Equal(new IsolationRule(IsolationMode.Suggest, 30, 20, 0.5, string.Empty), options.RuleFor("other"));
        Assert.Equal(new IsolationRule(IsolationMode.Auto, 30, 20, 0.5, "gpt-safe"), options.RuleFor("gpt-x"));
        Assert.Empty(options.Validate());

        var bad = new IsolationRuleOptions
        {
            ReportMs = 0,
            Default = new IsolationRuleSettings { Mode = "sometimes", BlockedRate = 0 },
            Models = { ["m"] = new IsolationRuleSettings { WindowSeconds = 0, MinOutputs = 0 } },
        };
        var errors = bad.Validate().ToList();
        Assert.Contains(errors, e => e.StartsWith("Guardrail:IsolationRules:ReportMs", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Guardrail:IsolationRules:Default:Mode must be off, suggest or auto (was 'sometimes')", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Guardrail:IsolationRules:Default:BlockedRate", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Guardrail:IsolationRules:Models:m:WindowSeconds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Guardrail:IsolationRules:Models:m:MinOutputs", StringComparison.Ordinal));
    }
}
