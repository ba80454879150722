using System.Collections.Frozen;

namespace Guardrail.Core.Detectors;

/// <summary>
/// Given names, surnames and patronymics for <see cref="NamesAndAddresses"/> and
/// <see cref="UncasedScriptNames"/>: the name lists of the Bogus package's locales (faker.js's
/// data, MIT), read once at first use, with the Cyrillic and Greek ones also in Latin letters
/// (<see cref="NameTransliteration"/>), plus <see cref="RomanisedNames"/> for origins Bogus lists
/// only in their own script or not at all. Cased scripts (Latin, Cyrillic, Greek) match on the
/// capitalised form ("John", not "john"): a lower-case word is not read as a name. Uncased scripts
/// (Han, kana, Hangul, Arabic) are kept apart: their rules need a cue, not a capital.
/// </summary>
internal static class PersonNameGazetteer
{
    /// <summary>Locales written in cased scripts: what the rules around capitalised words can read.</summary>
    private static readonly string[] CasedLocales =
    [
        "en", "en_GB", "en_US", "en_IE", "en_AU", "en_CA", "en_IND", "en_NG", "en_ZA", "af_ZA", "zu_ZA", "de", "de_AT", "de_CH", "fr", "fr_CA",
        "fr_CH", "es", "es_MX", "it", "nl", "nl_BE", "pt_BR", "pt_PT", "pl", "sv", "nb_NO", "fi", "lv", "tr", "az", "ro", "cz", "sk", "hr",
        "vi", "id_ID", "ne", "ru", "uk", "el",
    ];

    /// <summary>Locales written in uncased scripts (Han, kana, Hangul, Arabic letters).</summary>
    private static readonly string[] UncasedLocales = ["zh_CN", "zh_TW", "ja", "ko", "ar", "fa"];

    private static readonly Lazy<Lists> Cased = new(() => Load(CasedLocales, cased: true));

    private static readonly Lazy<Lists> Uncased = new(() => Load(UncasedLocales, cased: false));

    public static FrozenSet<string> GivenNames => Cased.Value.Given;

    public static FrozenSet<string> FamilyNames => Cased.Value.Family;

    /// <summary>Russian and Ukrainian patronymics ("Сергеевич"), which sit between a given name and a surname.</summary>
    public static FrozenSet<string> Patronymics => Cased.Value.Patronymic;

    public static FrozenSet<string> UncasedGivenNames => Uncased.Value.Given;

    public static FrozenSet<string> UncasedFamilyNames => Uncased.Value.Family;

    private sealed record Lists(FrozenSet<string> Given, FrozenSet<string> Family, FrozenSet<string> Patronymic);

    private static Lists Load(string[] locales, bool cased)
    {
        var given = new HashSet<string>(StringComparer.Ordinal);
        var family = new HashSet<string>(StringComparer.Ordinal);
        var patronymic = new HashSet<string>(StringComparer.Ordinal);
        foreach (var locale in locales)
        {
            AddNames(locale, ["first_name", "male_first_name", "female_first_name"], given, cased);
            AddNames(locale, ["last_name", "male_last_name", "female_last_name"], family, cased);
            AddNames(locale, ["male_middle_name", "female_middle_name"], patronymic, cased);
        }

        if (cased)
        {
            // Russian, Ukrainian and Greek names as English text writes them ("Olga Petrova").
            foreach (var set in new[] { given, family, patronymic })
            {
                set.UnionWith([.. set.Where(name => name[0] >= '\u0370').Select(NameTransliteration.ToLatin).OfType<string>()]);
            }

            given.UnionWith(RomanisedNames.Given);
            family.UnionWith(RomanisedNames.Family);
        }

        return new(given.ToFrozenSet(StringComparer.Ordinal), family.ToFrozenSet(StringComparer.Ordinal), patronymic.ToFrozenSet(StringComparer.Ordinal));
    }

    private static void AddNames(string locale, string[] paths, HashSet<string> into, bool cased)
    {
        foreach (var path in paths)
        {
            if (!Bogus.Database.HasKey("name", path, locale, fallbackLocale: null) || Bogus.Database.Get("name", path, locale, localeFallback: locale) is not Bogus.Bson.BArray names)
            {
                continue;
            }

            foreach (Bogus.Bson.BValue value in names)
            {
                var name = value.StringValue;
                if (cased ? IsCapitalisedWord(name) : name.Length >= 1 && name.AsSpan().IndexOfAny(' ', '-') < 0)
                {
                    into.Add(name);
                    if (!cased)
                    {
                        // Arabic and Persian spell yeh and kaf with different letters (علي / علی): both forms match.
                        into.Add(name.Replace('ی', 'ي').Replace('ک', 'ك'));
                        into.Add(name.Replace('ي', 'ی').Replace('ك', 'ک'));
                    }
                }
            }
        }
    }

    /// <summary>One capitalised word of letters, at least 3 long ("Al", "Ed" are too often not names);
    /// O'Brien, D'Angelo: a capital after the apostrophe.</summary>
    private static bool IsCapitalisedWord(string name)
    {
        if (name.Length < 3 || !char.IsUpper(name[0]))
        {
            return false;
        }

        var rest = name.Length >= 4 && name[1] is '\'' or '’' && char.IsUpper(name[2]) ? name.AsSpan(3) : name.AsSpan(1);
        foreach (var c in rest)
        {
            if (!char.IsLower(c) && c is not '\'')
            {
                return false;
            }
        }

        return true;
    }
}
