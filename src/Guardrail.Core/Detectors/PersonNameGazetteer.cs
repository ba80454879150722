using System.Collections.Frozen;

namespace Guardrail.Core.Detectors;

/// <summary>
/// Given names and surnames for <see cref="NamesAndAddresses"/>: the name lists of the Bogus
/// package's locales (faker.js's data, MIT) for languages written in Latin letters, read once at
/// first use. Matching is case-sensitive on the capitalised form ("John", not "john"): a lower-case
/// word is not read as a name.
/// </summary>
internal static class PersonNameGazetteer
{
    /// <summary>Locales whose names are Latin-script: what the rules around them (capitalised words) can read.</summary>
    private static readonly string[] Locales = ["en", "en_GB", "en_US", "en_IE", "en_AU", "en_CA", "de", "fr", "es", "it", "nl", "pt_BR", "pt_PT", "pl", "sv", "nb_NO", "tr", "ro", "cz", "sk", "hr", "vi", "id_ID"];

    private static readonly Lazy<(FrozenSet<string> Given, FrozenSet<string> Family)> Lists = new(Load);

    public static FrozenSet<string> GivenNames => Lists.Value.Given;

    public static FrozenSet<string> FamilyNames => Lists.Value.Family;

    private static (FrozenSet<string>, FrozenSet<string>) Load()
    {
        var given = new HashSet<string>(StringComparer.Ordinal);
        var family = new HashSet<string>(StringComparer.Ordinal);
        foreach (var locale in Locales)
        {
            foreach (var path in new[] { "first_name", "male_first_name", "female_first_name" })
            {
                AddNames(locale, path, given);
            }

            AddNames(locale, "last_name", family);
        }

        return (given.ToFrozenSet(StringComparer.Ordinal), family.ToFrozenSet(StringComparer.Ordinal));
    }

    private static void AddNames(string locale, string path, HashSet<string> into)
    {
        if (!Bogus.Database.HasKey("name", path, locale, fallbackLocale: null) || Bogus.Database.Get("name", path, locale, localeFallback: locale) is not Bogus.Bson.BArray names)
        {
            return;
        }

        foreach (Bogus.Bson.BValue value in names)
        {
            // One capitalised word of letters, at least 3 long ("Al", "Ed" are too often not names).
            var name = value.StringValue;
            // O'Brien, D'Angelo: a capital after the apostrophe.
            var rest = name is { Length: >= 4 } && name[1] is '\'' or '’' && char.IsUpper(name[2]) ? name.AsSpan(3) : name.AsSpan(1);
            if (name is { Length: >= 3 } && char.IsUpper(name[0]) && rest.IndexOfAnyExcept(LowerLetters) < 0)
            {
                into.Add(name);
            }
        }
    }

    private static readonly System.Buffers.SearchValues<char> LowerLetters = System.Buffers.SearchValues.Create(
        "abcdefghijklmnopqrstuvwxyzàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿāăąćčďđēėęěğīįıķĺļľłńņňōőœŕřśşšţťūůűųźżžș'");
}
