using System.Text.RegularExpressions;
using Guardrail.Core.Normalization;

namespace Guardrail.Core.Detectors;

/// <summary>
/// Person names and postal addresses for <see cref="PiiDetector"/>, by rules that run in
/// microseconds on every text (a name model in the encoder tier would cost milliseconds per text
/// and there is no labelled name data here to train one):
/// <list type="bullet">
/// <item>a person name is a known given name followed by a known surname ("John Smith"), a title
/// and a capitalised word ("Dr Aisha Rahman", "Ms. Nakamura"), a capitalised word after "Dear",
/// "my name is" or "I am called" (not a salutation's noun: "Dear Client"), or a known name after
/// "named";</item>
/// <item>a postal address is a house number, capitalised words and a street type ("42 Baker
/// Street", "1600 Amphitheatre Pkwy"), a street word and a number in German, French, Spanish and
/// Italian word order, a UK postcode ("NW1 6XE") or a US "City, ST 12345".</item>
/// </list>
/// </summary>
internal static partial class NamesAndAddresses
{
    /// <summary>Capitalised words that follow a given name in places and organisations, not people ("Jordan River", "Florence Hospital").</summary>
    private static readonly HashSet<string> NotSurnames = new(StringComparer.Ordinal)
    {
        "Street", "Road", "Avenue", "Lane", "Drive", "Way", "Park", "River", "Lake", "Bay", "Island", "Islands", "Mountain", "Valley", "County",
        "City", "Town", "Village", "University", "College", "School", "Academy", "Hospital", "Clinic", "Church", "Cathedral", "Airport",
        "Station", "Hotel", "Museum", "Library", "Center", "Centre", "Institute", "Foundation", "Award", "Awards", "Prize", "Cup", "Day",
        "Inc", "Ltd", "Corp", "Company", "Group", "Bank", "Studios", "Records", "Press", "Times", "Post", "News", "Show", "Bridge", "Square",
        "Hall", "House", "Palace", "Castle", "Tower", "Garden", "Gardens", "Beach", "Springs", "Falls", "Creek", "Harbor", "Harbour", "Port",
        "Point", "Heights", "Hills", "North", "South", "East", "West", "I", "II", "III", "IV", "V", "The", "And", "Or", "Of", "In", "On", "At",
        "Empire", "Kingdom", "Republic", "State", "States", "Gate", "Ocean", "Sea", "Desert", "Forest", "Canyon", "Coast", "Peninsula",
    };

    /// <summary>Given names that begin place names far more often than people's ("Santa Monica", "San Diego").</summary>
    private static readonly HashSet<string> PlacePrefixes = new(StringComparer.Ordinal) { "Santa", "San", "Santo", "Saint", "Sainte", "Sankt" };

    public static void FindInto(string clean, CleanFindings found)
    {
        // Every address form holds a digit; most prompts hold none, and four regexes over them would cost more than the names.
        if (clean.AsSpan().IndexOfAnyInRange('0', '9') >= 0)
        {
            FindAddresses(clean, found);
        }

        FindNames(clean, found);
        UncasedScriptNames.FindInto(clean, found);
    }

    private static void FindAddresses(string clean, CleanFindings found)
    {
        foreach (Match m in Address().Matches(clean))
        {
            found.Add("postal-address", 0.8f, m.Index, m.Length);
        }

        // The other forms start at any capital letter, so each runs only where its keyword or shape is
        // in the text at all (one vectorised search instead of a regex attempt per capital).
        var text = clean.AsSpan();
        if (text.IndexOfAny(ContinentalStreetWords) >= 0)
        {
            AddOthers(ContinentalAddress(), clean, found);
        }

        AddOthers(UkPostcode(), clean, found);
        if (text.IndexOf(", ", StringComparison.Ordinal) >= 0)
        {
            AddOthers(UsCityStateZip(), clean, found);
        }
    }

    private static void AddOthers(Regex regex, string clean, CleanFindings found)
    {
        foreach (Match m in regex.Matches(clean))
        {
            found.AddUnlessOverlapping("postal-address", 0.7f, m.Index, m.Length);
        }
    }

    /// <summary>The street words of <see cref="ContinentalAddress"/>, as a precondition for running it.</summary>
    private static readonly System.Buffers.SearchValues<string> ContinentalStreetWords = System.Buffers.SearchValues.Create(
        ["straße", "strasse", "weg ", "platz", "allee", "gasse", " rue ", "avenue ", "boulevard ", " bd ", " place ", "chemin ", "allée ", "impasse ", "quai ",
         "Calle ", "Avenida ", "Avda. ", "Plaza ", "Paseo ", "Via ", "Viale ", "Piazza ", "Corso "], StringComparison.Ordinal);

    private static void FindNames(string clean, CleanFindings found)
    {
        var given = PersonNameGazetteer.GivenNames;
        var family = PersonNameGazetteer.FamilyNames;
        var words = new List<(int Start, string Value)>();
        for (var at = 0; at < clean.Length; at++)
        {
            if (!char.IsUpper(clean[at]) || (at > 0 && char.IsLetterOrDigit(clean[at - 1])))
            {
                continue;
            }

            // A run of capitalised words separated by single spaces: a name never crosses a line or punctuation.
            words.Clear();
            var end = CapitalisedWordEnd(clean, at);
            while (end > 0)
            {
                words.Add((at, clean[at..end]));
                if (end + 1 >= clean.Length || clean[end] != ' ' || !char.IsUpper(clean[end + 1]))
                {
                    break;
                }

                at = end + 1;
                end = CapitalisedWordEnd(clean, at);
            }

            for (var i = 0; i < words.Count; i++)
            {
                i = NameAt(clean, words, i, given, family, found);
            }

            at = Math.Max(at, end);
        }
    }

    /// <summary>Reports the name that starts at word <paramref name="i"/>, if one does, and returns the index of its last word.</summary>
    private static int NameAt(string clean, List<(int Start, string Value)> words, int i, IReadOnlySet<string> given, IReadOnlySet<string> family, CleanFindings found)
    {
        var first = words[i].Value;
        var isGiven = given.Contains(first);
        var previous = PreviousWord(clean, words[i].Start);
        // A title, or a greeting or verb that takes a person ("ask Priya"), lets any capitalised word that is no common word follow.
        var titled = (Titles.Contains(previous.TrimEnd('.').ToString()) && !Titles.Contains(first)) || IsLoneGivenName(clean, words[i].Start, previous, first, isGiven);
        int end;
        if (isGiven && !PlacePrefixes.Contains(first) && i + 1 < words.Count && CanFollowGivenName(words[i + 1].Value, family, titled))
        {
            end = NameEnd(words, i + 1, family);
        }
        else if (!IsLatin(first) && family.Contains(first) && i + 1 < words.Count && given.Contains(words[i + 1].Value))
        {
            // Surname first, as Russian and Greek forms and lists write it ("Иванов Иван Сергеевич").
            end = i + 2 < words.Count && PersonNameGazetteer.Patronymics.Contains(words[i + 2].Value) ? i + 2 : i + 1;
        }
        else if (titled || IsCued(clean, words[i].Start, previous, first, isGiven || family.Contains(first)))
        {
            end = NameEnd(words, i, family);
        }
        else
        {
            return i;
        }

        if (!titled && end + 1 < words.Count && NotSurnames.Contains(words[end + 1].Value))
        {
            return end + 1; // "Juliet Christian Academy", "John Marshall Street": a place or an organisation named after someone
        }

        var start = words[i].Start;
        var stop = words[end].Start + words[end].Value.Length;
        found.AddUnlessOverlapping("person-name", end == i || titled ? 0.8f : 0.7f, start, stop - start);

        return end;
    }

    /// <summary>"Dear Priya", "my name is Siobhan", "I am called Ines": any capitalised word but a
    /// salutation's noun ("Dear Client") or a title; after "named" ("named Entity") only a known name.</summary>
    private static bool IsCued(string clean, int wordStart, ReadOnlySpan<char> previous, string word, bool known)
    {
        if (Titles.Contains(word) || NotSurnames.Contains(word))
        {
            return false;
        }

        var lead = clean.AsSpan(0, Math.Max(0, wordStart - previous.Length - 2)); // the text before "is", without its space
        var addressed = previous switch
        {
            "Dear" => true,
            "is" => lead.EndsWith("my name", StringComparison.OrdinalIgnoreCase),
            "called" => lead.EndsWith("I am", StringComparison.Ordinal),
            _ => false,
        };
        if (addressed)
        {
            return !SalutationNouns.Contains(word);
        }

        // Russian, Ukrainian and Greek cues ("Уважаемый", "меня зовут", "με λένε") take only a listed
        // name: this detector has no list of those languages' capitalised nouns ("Уважаемые Коллеги").
        var foreignCue = previous switch
        {
            "Уважаемый" or "Уважаемая" or "Дорогой" or "Дорогая" or "Шановний" or "Шановна" or "Αγαπητέ" or "Αγαπητή" => true,
            "зовут" => lead.EndsWith("меня", StringComparison.OrdinalIgnoreCase),
            "звати" => lead.EndsWith("мене", StringComparison.OrdinalIgnoreCase),
            "λένε" => lead.EndsWith("με", StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
        return (foreignCue || previous is "named" or "Named") && known;
    }

    /// <summary>"Hi Jennifer", "ask Priya", "Remind Tomasz": a listed given name alone after a greeting
    /// or a verb whose object is a person; capitalised, the cue must start a sentence or a line
    /// ("Better Call Saul" and "Let it Be, Hey Jude" are titles). Not an assistant's name ("Hey Alexa").</summary>
    private static bool IsLoneGivenName(string clean, int wordStart, ReadOnlySpan<char> previous, string word, bool isGiven)
    {
        if (!isGiven || previous.IsEmpty || AssistantNames.Contains(word) || IsEnglishWord(word))
        {
            return false;
        }

        if (previous is "ask" or "tell" or "email" or "call" or "remind" or "invite" or "thank" or "congratulate")
        {
            return true;
        }

        if (previous is not ("Hi" or "Hello" or "Hey" or "Thanks" or "Ask" or "Tell" or "Email" or "Call" or "Remind" or "Invite" or "Thank" or "Congratulate"))
        {
            return false;
        }

        var before = clean.AsSpan(0, wordStart - 1 - previous.Length).TrimEnd(' ');
        return before.IsEmpty || before[^1] is '\n' or '.' or '!' or '?';
    }

    private static readonly HashSet<string> AssistantNames = new(StringComparer.Ordinal) { "Alexa", "Siri", "Cortana", "Claude", "Gemini", "Bard", "Jarvis", "Bixby", "Copilot" };

    /// <summary>The word right before <paramref name="start"/> (one space between), with a trailing full stop ("Dr."); empty if none.</summary>
    private static ReadOnlySpan<char> PreviousWord(string text, int start)
    {
        if (start < 2 || text[start - 1] != ' ')
        {
            return [];
        }

        var end = start - 1;
        var from = text[end - 1] == '.' ? end - 1 : end;
        while (from > 0 && char.IsLetter(text[from - 1]))
        {
            from--;
        }

        return text.AsSpan(from, end - from);
    }

    /// <summary>The end of a capitalised word at <paramref name="at"/> (O'Brien, Patterson-Cole), or 0 where none starts.</summary>
    private static int CapitalisedWordEnd(string text, int at)
    {
        var i = at;
        if (i + 2 < text.Length && char.IsUpper(text[i]) && text[i + 1] is '\'' or '’' && char.IsUpper(text[i + 2]))
        {
            i += 2;
        }

        if (i >= text.Length || !char.IsUpper(text[i]))
        {
            return 0;
        }

        var lower = ++i;
        while (i < text.Length && (char.IsLower(text[i]) || text[i] is '\'' or '’'))
        {
            i++;
        }

        if (i == lower)
        {
            return 0;
        }

        if (i + 2 < text.Length && text[i] == '-' && char.IsUpper(text[i + 1]) && char.IsLower(text[i + 2]))
        {
            var joined = CapitalisedWordEnd(text, i + 1);
            i = joined > 0 ? joined : i;
        }

        return i < text.Length && char.IsLetterOrDigit(text[i]) ? 0 : i;
    }

    /// <summary>"Smith" after "John", not "Oil" after "Olive": without a title before them, two capitalised
    /// words are a name only when the second is a known surname (products, teams and places are
    /// given name + English noun: "Olive Oil", "Dallas Mavericks", "Paris Agreement"). After a title,
    /// any capitalised word that is no common English word will do ("Dr Aisha Rahman").</summary>
    private static bool CanFollowGivenName(string next, IReadOnlySet<string> family, bool titled)
        => !NotSurnames.Contains(next) && (IsKnownSurname(next, family) || PersonNameGazetteer.Patronymics.Contains(next)
            || (titled && !IsEnglishWord(next) && next.Length >= 2 && !IsAllCaps(next)));

    /// <summary>Written in Latin letters (the first letter decides): only Cyrillic and Greek names may put the surname first.</summary>
    private static bool IsLatin(string word) => word[0] < '\u0370';

    /// <summary>A listed surname, or a double-barrelled one whose first part is ("Patterson-Cole").</summary>
    private static bool IsKnownSurname(string word, IReadOnlySet<string> family)
        => family.Contains(word) || (word.IndexOf('-', StringComparison.Ordinal) is > 0 and var dash && family.Contains(word[..dash]));

    /// <summary>The last word of the name whose word <paramref name="i"/> is a surname or a patronymic: a
    /// second surname (or, after a patronymic, the surname) or a hyphenated one joins it.</summary>
    private static int NameEnd(List<(int Start, string Value)> words, int i, IReadOnlySet<string> family)
        => i + 1 < words.Count && IsKnownSurname(words[i + 1].Value, family) && !NotSurnames.Contains(words[i + 1].Value) ? i + 1 : i;

    private static bool IsEnglishWord(string word)
    {
        Span<char> lower = stackalloc char[Math.Min(word.Length, CommonWords.MaxLength + 1)];
        var n = word.AsSpan(0, lower.Length).ToLowerInvariant(lower);
        return word.Length <= CommonWords.MaxLength && CommonWords.Contains(lower[..n]);
    }

    private static bool IsAllCaps(string word) => word.AsSpan().IndexOfAnyInRange('a', 'z') < 0;

    private static readonly HashSet<string> Titles = new(StringComparer.Ordinal) { "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame", "Herr", "Frau", "Mme", "Mlle", "Sr", "Sra" };

    /// <summary>Nouns a salutation addresses that are not names ("Dear Client", "Dear Hiring Manager").</summary>
    private static readonly HashSet<string> SalutationNouns = new(StringComparer.Ordinal)
    {
        "Client", "Clients", "Customer", "Customers", "Team", "Sir", "Sirs", "Madam", "Friend", "Friends", "Colleague", "Colleagues", "Audience",
        "Company", "Hiring", "Manager", "Recruiter", "Applicant", "Candidate", "Member", "Members", "User", "Users", "Reader", "Readers",
        "Valued", "All", "Everyone", "Parents", "Parent", "Students", "Student", "Board", "Committee", "Editor", "Editors", "Author", "Reviewer",
        "Reviewers", "Support", "Admin", "Administrator", "Landlord", "Tenant", "Neighbor", "Neighbour", "Partner", "Partners", "Staff",
        "Employee", "Employees", "Diary", "God", "Lord", "Santa", "Future", "Human", "Assistant", "Bot", "Chatbot", "Mom", "Dad", "Mother", "Father",
    };

    // 42 Baker Street, 1600 Amphitheatre Pkwy, 221B Baker St. (the street's name is one to four capitalised words).
    [GeneratedRegex(@"(?<![\w-])\d{1,5}[A-Za-z]?,? (?:\p{Lu}[\p{L}'’.-]* ){1,4}(?:(?:Street|Road|Avenue|Lane|Drive|Boulevard|Way|Court|Place|Terrace|Close|Crescent|Square|Parkway|Highway|Mews|Grove|Gardens|Row)\b|(?:St|Rd|Ave|Ln|Dr|Blvd|Ct|Pl|Sq|Pkwy|Hwy)\b\.?)", RegexOptions.CultureInvariant)]
    private static partial Regex Address();

    // Hauptstraße 5, Rue de la Paix 12 / 12 rue de la Paix, Calle Mayor 7, Via Roma 10.
    [GeneratedRegex(@"(?<![\w-])(?:\p{Lu}\p{Ll}{2,}(?:straße|strasse|weg|platz|allee|gasse) \d{1,4}[a-z]?|\d{1,4}(?: bis| ter)?,? (?:rue|avenue|boulevard|bd|place|chemin|allée|impasse|quai) (?:(?:de la|de l'|du|des|de|d') ?)?\p{Lu}[\p{L}'’-]+|(?:Calle|Avenida|Avda\.|Plaza|Paseo|Via|Viale|Piazza|Corso) (?:(?:de la|del|de|di|della) )?\p{Lu}[\p{L}'’-]+(?: \p{Lu}[\p{L}'’-]+)?,? \d{1,4})(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex ContinentalAddress();

    // SW1A 1AA, NW1 6XE, M1 1AE (the space kept: without it these are everyday codes).
    [GeneratedRegex(@"(?<![\w-])(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?) \d[ABD-HJLNP-UW-Z]{2}(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex UkPostcode();

    [GeneratedRegex(@"(?<![\w-])\p{Lu}\p{Ll}+(?: \p{Lu}\p{Ll}+){0,2}, (?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY) \d{5}(?:-\d{4})?(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex UsCityStateZip();
}
