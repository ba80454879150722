using Guardrail.Core.Policy;
using Guardrail.Core.Screening;
using Guardrail.Detection.Encoder;
using Guardrail.Onnx;

namespace Guardrail.Detection.Tests;

/// <summary>Banned topics through the pipeline with the real sentence encoder (MiniLM from its
/// package, in ONNX Runtime): on-topic prompts are caught at the rule's threshold, others are not.</summary>
public sealed class TopicMatcherTests : IDisposable
{
    private readonly SentenceTopicMatcher _matcher = new(new SessionSettings());

    [Fact]
    public async Task A_banned_topic_blocks_prompts_about_it_and_leaves_the_rest()
    {
        var options = new PolicyOptions();
        options.Rules.Add(new TenantRuleOptions { Name = "no-investment-advice", Kind = "topic", Topic = "investment advice: which stocks, funds or cryptocurrencies to buy" });
        var policy = TenantPolicy.From(options);
        var pipeline = new ScreeningPipeline(ScreeningPipeline.CheapDetectors(), topics: _matcher);

        async Task<ScreenOutcome> Screen(string text) => await pipeline.ScreenAsync(new ScreenInput(Channel.UserPrompt, text, [], []), policy, DateTimeOffset.UtcNow.AddSeconds(30));

        var onTopic = await Screen("Should I put my savings into Bitcoin or Tesla shares?");
        Assert.Equal(Verdict.Block, onTopic.Verdict);
        var finding = Assert.Single(onTopic.Findings, f => f.Category == TenantRules.Category);
        Assert.Equal("no-investment-advice", finding.Rule);
        Assert.InRange(finding.Score, 0.3f, 1f);
        Assert.Equal(DetectorStatus.Ran, Assert.Single(onTopic.Detectors, d => d.Detector == "tenant-rules").Status);

        foreach (var text in new[] { "Explain the TCP three-way handshake", "Give me a recipe for lasagna", "How do I kill a Python process?" })
        {
            Assert.Equal(Verdict.Allow, (await Screen(text)).Verdict);
        }
    }

    [Fact]
    public async Task A_request_the_cheap_detectors_already_block_does_not_wait_for_the_sentence_encoder()
    {
        var options = new PolicyOptions();
        options.Rules.Add(new TenantRuleOptions { Name = "codenames", Kind = "ban", Phrases = { "falcon-7" } });
        options.Rules.Add(new TenantRuleOptions { Name = "birds", Kind = "ban", Phrases = { "heron" }, Action = "flag" });
        options.Rules.Add(new TenantRuleOptions { Name = "no-investment-advice", Kind = "topic", Topic = "investment advice: which stocks, funds or cryptocurrencies to buy" });
        var policy = TenantPolicy.From(options);
        var counting = new CountingMatcher(_matcher);
        var pipeline = new ScreeningPipeline(ScreeningPipeline.CheapDetectors(), topics: counting);

        async Task<ScreenOutcome> Screen(string text) => await pipeline.ScreenAsync(new ScreenInput(Channel.UserPrompt, text, [], []), policy, DateTimeOffset.UtcNow.AddSeconds(30));

        // Banned and on topic: the ban blocks, so the topic is not matched, and the run says why.
        var banned = await Screen("Should I put my savings into Bitcoin or Tesla shares? Ask falcon-7.");
        Assert.Equal(Verdict.Block, banned.Verdict);
        Assert.Equal("codenames", Assert.Single(banned.Findings, f => f.Category == TenantRules.Category).Rule);
        var run = Assert.Single(banned.Detectors, d => d.Detector == "tenant-rules");
        Assert.Equal((DetectorStatus.Ran, ScreeningPipeline.TopicsNotNeeded), (run.Status, run.Reason));
        Assert.Equal(0, counting.Calls);

        // A finding that only flags leaves the verdict open: the topic is matched and blocks.
        var flagged = await Screen("Should I put my savings into Bitcoin or Tesla shares? Ask heron.");
        Assert.Equal(Verdict.Block, flagged.Verdict);
        Assert.Equal(["birds", "no-investment-advice"], flagged.Findings.Where(f => f.Category == TenantRules.Category).Select(f => f.Rule).Order());
        Assert.Null(Assert.Single(flagged.Detectors, d => d.Detector == "tenant-rules").Reason);
        Assert.Equal(1, counting.Calls);
    }

    /// <summary>The real matcher, counting the calls that reach it.</summary>
    private sealed class CountingMatcher(ITopicMatcher inner) : ITopicMatcher
    {
        public int Calls { get; private set; }

        public string Model => inner.Model;

        public ValueTask<TopicMatch[][]> MatchAsync(IReadOnlyList<string> texts, IReadOnlyList<CompiledRule> topics, CancellationToken cancellationToken)
        {
            Calls++;
            return inner.MatchAsync(texts, topics, cancellationToken);
        }
    }

    [Fact]
    public void Embeddings_are_unit_length_and_closer_for_paraphrases()
    {
        var vectors = _matcher.Embed(["How do I bake bread?", "What is a good bread recipe?", "How do TCP handshakes work?"]);
        Assert.All(vectors, v => Assert.InRange(v.Sum(x => x * x), 0.999f, 1.001f));
        static float Cos(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();
        Assert.True(Cos(vectors[0], vectors[1]) > Cos(vectors[0], vectors[2]) + 0.3f, $"{Cos(vectors[0], vectors[1])} vs {Cos(vectors[0], vectors[2])}");
    }

    public void Dispose() => _matcher.Dispose();
}
