using Guardrail.Core.Policy;
using Guardrail.Core.Screening;

namespace Guardrail.Core.Tests;

/// <summary>An ML detector bound to some channels (the document-injection detector reads documents
/// and tool outputs) is asked only for those texts, and says why it skipped a request without any.</summary>
public class ChannelBoundDetectorTests
{
    private static readonly ModelDetector Documents = new("document-injection", DetectorCategory.Injection, "ngram", "1.0.0", Channels: [Channel.Document, Channel.ToolOutput]);
    private static readonly TenantPolicy Default = TenantPolicy.From(new PolicyOptions());

    /// <summary>Scores 0.9 for a text holding "PLANTED", 0.0 otherwise.</summary>
    private sealed class ScriptedScorer : ITextScorer
    {
        public List<ScoringItem> Asked { get; } = [];

        public IReadOnlyList<ModelDetector> Detectors { get; } = [Documents];

        public Task<ItemScore[]> ScoreAsync(IReadOnlyList<ScoringItem> items, DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            Asked.AddRange(items);
            return Task.FromResult(items.Select(i => i.Text.IndexOf("PLANTED", StringComparison.Ordinal) is var at and >= 0
                ? new ItemScore(DetectorStatus.Ran, 0.9f, at, at + 7, "ngram", "1.0.0", null)
                : new ItemScore(DetectorStatus.Ran, 0f, -1, -1, "ngram", "1.0.0", null)).ToArray());
        }
    }

    private static async Task<(ScreenOutcome Outcome, ScriptedScorer Scorer)> Screen(Channel channel, string text, params DocumentInput[] documents)
    {
        var scorer = new ScriptedScorer();
        var outcome = await new ScreeningPipeline([], scorer: scorer).ScreenAsync(new ScreenInput(channel, text, documents, []), Default, DateTimeOffset.MaxValue);
        return (outcome, scorer);
    }

    [Fact]
    public async Task A_prompt_alone_is_not_read_and_the_run_says_why()
    {
        var (outcome, scorer) = await Screen(Channel.UserPrompt, "PLANTED in a prompt");
        Assert.Empty(scorer.Asked);
        Assert.Equal(Verdict.Allow, outcome.Verdict);
        var run = Assert.Single(outcome.Detectors);
        Assert.Equal((DetectorStatus.Skipped, "reads only document and tool_output; the request has none"), (run.Status, run.Reason));
    }

    [Fact]
    public async Task Documents_and_tool_outputs_are_read_and_a_finding_names_its_document()
    {
        var (outcome, scorer) = await Screen(Channel.UserPrompt, "PLANTED in the prompt, not read", new DocumentInput("kb-1", "wiki", "Clean page."), new DocumentInput("kb-2", "wiki", "A page with PLANTED text."));
        Assert.Equal(["Clean page.", "A page with PLANTED text."], scorer.Asked.Select(a => a.Text));
        var finding = Assert.Single(outcome.Findings);
        Assert.Equal(("kb-2", 12, 19), (finding.DocumentId, finding.Start, finding.End));
        Assert.Equal(Verdict.Block, outcome.Verdict);

        var (tool, toolScorer) = await Screen(Channel.ToolOutput, "Search result: PLANTED");
        Assert.Single(toolScorer.Asked);
        Assert.Equal(Verdict.Block, tool.Verdict);
    }
}
