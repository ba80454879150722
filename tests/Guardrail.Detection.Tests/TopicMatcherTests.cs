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
    public void Embeddings_are_unit_length_and_closer_for_paraphrases()
    {
        var vectors = _matcher.Embed(["How do I bake bread?", "What is a good bread recipe?", "How do TCP handshakes work?"]);
        Assert.All(vectors, v => Assert.InRange(v.Sum(x => x * x), 0.999f, 1.001f));
        static float Cos(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();
        Assert.True(Cos(vectors[0], vectors[1]) > Cos(vectors[0], vectors[2]) + 0.3f, $"{Cos(vectors[0], vectors[1])} vs {Cos(vectors[0], vectors[2])}");
    }

    public void Dispose() => _matcher.Dispose();
}
