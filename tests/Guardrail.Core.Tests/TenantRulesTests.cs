using System.Text;
using Guardrail.Core.Policy;
using Guardrail.Core.Screening;

namespace Guardrail.Core.Tests;

public sealed class TenantRulesTests
{
    private static readonly ScreeningPipeline Pipeline = ScreeningPipeline.CreateDefault();

    private static TenantPolicy PolicyWith(params TenantRuleOptions[] rules)
    {
        var options = new PolicyOptions();
        options.Rules.AddRange(rules);
        return TenantPolicy.From(options);
    }

    private static TenantRuleOptions Ban(string name, params string[] phrases) => new() { Name = name, Kind = "ban", Phrases = [.. phrases] };

    private static Task<ScreenOutcome> Screen(TenantPolicy policy, string text, Channel channel = Channel.UserPrompt)
        => Pipeline.ScreenAsync(new ScreenInput(channel, text, [], []), policy, DateTimeOffset.UtcNow.AddSeconds(10)).AsTask();

    [Fact]
    public async Task Ban_phrases_match_whole_words_in_any_case_through_homoglyphs_and_encodings()
    {
        var policy = PolicyWith(Ban("no-competitors", "Globex Corporation", "Initech"));
        var plain = await Screen(policy, "Is INITECH cheaper than you?");
        Assert.Equal(Verdict.Block, plain.Verdict);
        var finding = Assert.Single(plain.Findings, f => f.Category == TenantRules.Category);
        Assert.Equal(("no-competitors", 3, 10), (finding.Rule, finding.Start, finding.End));
        Assert.Contains("BLOCK: tenant rule 'no-competitors' in text", plain.Reasons);

        Assert.Equal(Verdict.Block, (await Screen(policy, "We compared Glоbex Corporation today")).Verdict); // Cyrillic о
        var hidden = await Screen(policy, "Decode this: " + Convert.ToBase64String(Encoding.UTF8.GetBytes("tell me everything about Initech pricing")));
        Assert.Equal(Verdict.Block, hidden.Verdict);
        Assert.True(Assert.Single(hidden.Findings, f => f.Category == TenantRules.Category).Hidden);

        Assert.Equal(Verdict.Allow, (await Screen(policy, "Initechnology is a made-up word, and so is Globex alone.")).Verdict);
    }

    [Fact]
    public async Task Each_rule_acts_by_its_action_on_its_channels()
    {
        var policy = PolicyWith(
            new TenantRuleOptions { Name = "codename", Kind = "ban", Phrases = ["Project Falcon"], Action = "redact" },
            new TenantRuleOptions { Name = "tickets", Kind = "ban_regex", Pattern = @"\bINC-\d{4,6}\b", Action = "flag", Channels = "model_output" });
        var redacted = await Screen(policy, "Status of Project Falcon, please.");
        Assert.Equal(Verdict.Redact, redacted.Verdict);
        Assert.Equal("Status of [REDACTED:CODENAME], please.", redacted.RedactedText);

        Assert.Equal(Verdict.Allow, (await Screen(policy, "See inc-20931 for details")).Verdict); // prompts: not its channel
        var flagged = await Screen(policy, "See inc-20931 for details", Channel.ModelOutput);
        Assert.Equal(Verdict.Flag, flagged.Verdict);
        Assert.Equal((4, 13), Assert.Single(flagged.Findings, f => f.Rule == "tickets") is var f ? (f.Start, f.End) : default);
    }

    [Fact]
    public async Task An_allow_phrase_exempts_the_findings_inside_it_and_no_others()
    {
        var policy = PolicyWith(new TenantRuleOptions { Name = "support-desk", Kind = "allow", Phrases = ["support@acme.example"] });
        Assert.Equal(Verdict.Allow, (await Screen(policy, "Write to support@acme.example for help.")).Verdict);
        var other = await Screen(policy, "Write to support@acme.example or to jane.doe@example.com.");
        Assert.Equal(Verdict.Redact, other.Verdict);
        Assert.Equal("Write to support@acme.example or to [REDACTED:EMAIL].", other.RedactedText);
        Assert.Equal(Verdict.Redact, (await Screen(PolicyWith(), "Write to support@acme.example for help.")).Verdict); // the rule is what allowed it
    }

    [Fact]
    public async Task Without_rules_the_detector_says_why_it_did_not_run()
    {
        var outcome = await Screen(PolicyWith(), "hello");
        var run = Assert.Single(outcome.Detectors, d => d.Detector == "tenant-rules");
        Assert.Equal(DetectorStatus.Skipped, run.Status);
        Assert.Contains("no ban, regex or topic rule", run.Reason, StringComparison.Ordinal);

        var topicOnly = await Screen(PolicyWith(new TenantRuleOptions { Name = "t", Kind = "topic", Topic = "cooking" }), "hello");
        var failed = Assert.Single(topicOnly.Detectors, d => d.Detector == "tenant-rules");
        Assert.Equal(DetectorStatus.Failed, failed.Status); // this pipeline has no sentence encoder
        Assert.Equal(Verdict.Flag, topicOnly.Verdict);
    }

    [Fact]
    public void Bad_rules_are_refused_naming_the_rule()
    {
        var options = new PolicyOptions
        {
            Rules =
            [
                new() { Name = "Bad Name", Kind = "ban", Phrases = ["x"] },
                new() { Name = "dup", Kind = "ban", Phrases = ["x"] },
                new() { Name = "dup", Kind = "ban", Phrases = ["y"] },
                new() { Name = "backref", Kind = "ban_regex", Pattern = @"(a)\1" },
                new() { Name = "unclosed", Kind = "ban_regex", Pattern = "(abc" },
                new() { Name = "empty", Kind = "ban" },
                new() { Name = "what", Kind = "censor", Phrases = ["x"] },
                new() { Name = "topic-redact", Kind = "topic", Topic = "cooking", Action = "redact" },
                new() { Name = "topic-threshold", Kind = "topic", Topic = "cooking", Threshold = 1.5f },
                new() { Name = "chan", Kind = "ban", Phrases = ["x"], Channels = "email" },
            ],
        };
        var errors = options.Validate().ToList();
        Assert.Contains(errors, e => e.StartsWith("Guardrail:Policy:Rules:0 'Bad Name': name must be", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Guardrail:Policy:Rules:2 'dup': another rule has this name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Guardrail:Policy:Rules:3 'backref': pattern does not compile as a non-backtracking regex", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Guardrail:Policy:Rules:4 'unclosed': pattern does not compile", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Guardrail:Policy:Rules:5 'empty': needs 1-1000 phrases", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Guardrail:Policy:Rules:6 'what': kind must be one of ban, ban_regex, allow, topic", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Guardrail:Policy:Rules:7 'topic-redact': action must be block, flag", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Guardrail:Policy:Rules:8 'topic-threshold': threshold", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Guardrail:Policy:Rules:9 'chan': channels 'email'", StringComparison.Ordinal));
        Assert.Equal(9, errors.Count);
        Assert.Contains("has 65 rules; the limit is 64", new PolicyOptions { Rules = [.. Enumerable.Range(0, 65).Select(i => Ban($"r{i}", "x"))] }.Validate().First(), StringComparison.Ordinal);
    }
}
