using Guardrail.State.Privacy;

namespace Guardrail.State.Tests;

public sealed class PlaceholderMapTests
{
    private static PlaceholderRequest Value(string kind, string index) => new(kind, index, new SealedValue("k1", [1], [2, (byte)index.Length]));

    [Fact]
    public void The_same_value_keeps_its_placeholder_and_new_values_are_numbered_per_kind()
    {
        var map = new PlaceholderMap();
        var (first, added) = map.Assign([Value("PERSON", "a"), Value("EMAIL", "b"), Value("PERSON", "c")], limit: 10);
        Assert.True(added);
        Assert.Equal("[PERSON_1] [EMAIL_1] [PERSON_2]", Joined(first));
        var (second, addedAgain) = map.Assign([Value("PERSON", "c"), Value("EMAIL", "b")], limit: 10);
        Assert.False(addedAgain);
        Assert.Equal("[PERSON_2] [EMAIL_1]", Joined(second));
        var originals = map.Lookup(["[EMAIL_1]", "[EMAIL_7]"]);
        Assert.Equal(new SealedValue("k1", [1], [2, 1]).Data, originals[0]!.Data);
        Assert.Null(originals[1]);
    }

    [Fact]
    public void Past_its_limit_a_session_gives_no_new_placeholders_but_keeps_the_ones_it_has()
    {
        var map = new PlaceholderMap();
        map.Assign([Value("EMAIL", "a"), Value("EMAIL", "b")], limit: 2);
        var (placeholders, added) = map.Assign([Value("EMAIL", "c"), Value("EMAIL", "a")], limit: 2);
        Assert.False(added);
        Assert.Equal("none [EMAIL_1]", Joined(placeholders));
        Assert.Equal(2, map.Count);
    }

    private static string Joined(string?[] placeholders) => string.Join(' ', placeholders.Select(p => p ?? "none"));
}
