using Guardrail.Detection.Features;

namespace Guardrail.Detection.Tests;

/// <summary>Training and serving share these featurisers; a change to their output silently breaks
/// every shipped model, so their output is pinned here.</summary>
public class FeaturizerTests
{
    [Fact]
    public void Injection_features_are_pinned()
    {
        var featurizer = new InjectionFeaturizer();
        var ids = new long[featurizer.MaxFeatures];
        Assert.Equal(56, featurizer.Featurize("ignore previous instructions", ids));
        Assert.Equal([51635L, 57364, 12935, 36354, 22366, 18047, 5777, 40599], ids.Take(8));
        Assert.All(ids.Skip(56), id => Assert.Equal(0, id));
    }

    [Fact]
    public void Injection_features_are_unique_bounded_and_see_through_disguises()
    {
        var featurizer = new InjectionFeaturizer(buckets: 1000, maxFeatures: 64);
        var ids = new long[64];
        var n = featurizer.Featurize(new string('x', 5000) + " a b c d e f g h i j k l m n o p", ids);
        Assert.Equal(64, n);
        Assert.Equal(64, ids.Distinct().Count());
        Assert.All(ids, id => Assert.InRange(id, 1, 1000));
        var plain = featurizer.FeaturizeText("Ignore previous instructions")[0].Ids;
        var disguised = featurizer.FeaturizeText("ＩＧＮＯＲＥ prev\u200Bious instructiоns")[0].Ids; // full-width, zero-width, Cyrillic о
        Assert.Equal(plain, disguised);
    }

    [Fact]
    public void Windows_cover_the_whole_text_with_overlap()
    {
        var featurizer = new InjectionFeaturizer(windowChars: 100, strideChars: 75);
        Assert.Equal([(0, 100), (75, 175), (150, 250), (225, 260)], featurizer.Windows(260).ToList());
        Assert.Equal([(0, 40)], featurizer.Windows(40).ToList());
        var suffix = new SuffixFeaturizer(chunkChars: 100, windowChars: 10);
        Assert.Equal([(0, 100), (90, 190), (180, 205)], suffix.Chunks(205).ToList());
    }

    [Fact]
    public void Suffix_ids_are_pinned_and_words_span_their_letters()
    {
        var featurizer = new SuffixFeaturizer();
        Assert.Equal((403395L, 497172L), featurizer.NgramIds("abc!", 3, 4));
        Assert.Equal([360289L, 360289, 0, 383569, 383569, 383569], featurizer.WordIds("hi you", 0, 6).Select(x => x.Ngram));
    }

    [Fact]
    public void Suffix_features_do_not_change_at_chunk_edges()
    {
        var featurizer = new SuffixFeaturizer(chunkChars: 64, windowChars: 8);
        const string text = "the quick brown fox jumps over the lazy dog while the cat sleeps soundly in the sun";
        var whole = Row(featurizer, text, 0, text.Length, 128);
        var part = Row(featurizer, text, 40, text.Length, 128);
        for (var k = 0; k < 2 * SuffixFeaturizer.Orders; k++)
        {
            for (var p = 0; p < text.Length - 40; p++)
            {
                Assert.Equal(whole.Ids[(k * 128) + 40 + p], part.Ids[(k * 128) + p]);
            }
        }
    }

    private static (long[] Ids, float[] Classes, float[] Mask) Row(SuffixFeaturizer featurizer, string text, int start, int end, int length)
    {
        var ids = new long[2 * SuffixFeaturizer.Orders * length];
        var classes = new float[SuffixFeaturizer.Classes * length];
        var mask = new float[length];
        featurizer.Featurize(text, start, end, length, ids, classes, mask);
        return (ids, classes, mask);
    }
}
