using Guardrail.Core.Policy;

namespace Guardrail.Core.Screening;

/// <summary>How close a text is to each of a tenant's banned topics (a sentence encoder): the best
/// window's cosine similarity and its span in the text.</summary>
public interface ITopicMatcher
{
    /// <summary>Model and version, for the detector run.</summary>
    string Model { get; }

    /// <returns>One row per text, one entry per topic, in the order given.</returns>
    ValueTask<TopicMatch[][]> MatchAsync(IReadOnlyList<string> texts, IReadOnlyList<CompiledRule> topics, CancellationToken cancellationToken);
}

public readonly record struct TopicMatch(float Similarity, int Start, int End);
