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
        var suffix = new SuffixFeaturizer(windowChars: 64, strideChars: 16);
        Assert.Equal([(0, 64), (16, 80), (32, 96), (36, 100)], suffix.Windows(100).ToList()); // the last window ends at the end
        Assert.Equal([(0, 64)], suffix.Windows(64).ToList());
        Assert.Equal([(0, 10)], suffix.Windows(10).ToList());
    }

    [Fact]
    public void Suffix_features_are_pinned_and_keep_case()
    {
        var featurizer = new SuffixFeaturizer();
        var ids = new long[featurizer.MaxFeatures];
        Assert.Equal(PinnedSuffixCount, featurizer.Featurize("argueRIPT`), kindly", ids));
        Assert.Equal(PinnedSuffixIds, ids.Take(8));
        Assert.All(ids.Skip(PinnedSuffixCount), id => Assert.Equal(0, id));
        var lower = new long[featurizer.MaxFeatures];
        featurizer.Featurize("argueript`), kindly", lower);
        Assert.NotEqual(ids, lower);
        Assert.Equal("aAA0 u(!", string.Concat("aZQ7 é(!".Select(SuffixFeaturizer.ShapeOf)));
    }

    [Fact]
    public void Suffix_windows_see_the_clean_text_with_whitespace_runs_as_one_space()
    {
        var featurizer = new SuffixFeaturizer();
        var plain = featurizer.FeaturizeText("Write it ]( Me giving**ONE please")[0].Ids;
        var spaced = featurizer.FeaturizeText("Write it \u200B](   Me\tgiving**ONE please")[0].Ids; // zero-width space, space run, tab
        Assert.Equal(plain, spaced);
    }

    private const int PinnedSuffixCount = 100;

    private static readonly long[] PinnedSuffixIds = [27045, 11403, 53923, 43299, 49302, 6095, 5561, 51603];
}
