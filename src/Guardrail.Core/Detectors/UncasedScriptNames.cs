namespace Guardrail.Core.Detectors;

/// <summary>
/// Person names in scripts without capitals, where the capitalised-word rules of
/// <see cref="NamesAndAddresses"/> see nothing. Each rule needs a cue next to a listed surname or
/// name (<see cref="PersonNameGazetteer"/>'s Chinese, Japanese, Korean, Arabic and Persian lists):
/// Han surname characters are also everyday characters (文 "writing", 项 "item"), so a surname
/// alone is never enough.
/// <list type="bullet">
/// <item>Chinese: "我叫 / 我的名字是 / 名叫 / 姓名：" + surname + one or two characters; surname
/// (+ one or two characters) + 先生 / 女士 / 小姐 (Mr, Ms, Miss); surname + one or two characters
/// + 老师 / 医生 (teacher, doctor).</item>
/// <item>Japanese: surname (+ given name) + さん / 様 / 先生 / くん / ちゃん.</item>
/// <item>Korean: surname + two syllables + 씨 / 님, or after "제 이름은" (my name is).</item>
/// <item>Arabic and Persian: a word after اسمي / اسم من (my name), السيد / السيدة / الدكتور /
/// آقای / خانم (Mr, Mrs, Dr), and a second word when it is a listed name.</item>
/// </list>
/// </summary>
internal static class UncasedScriptNames
{
    public static void FindInto(string clean, CleanFindings found)
    {
        var text = clean.AsSpan();
        // Most texts hold none of these scripts: one vectorised search each and nothing else.
        if (text.IndexOfAnyInRange('\u3040', '\u9FFF') >= 0)
        {
            FindHan(clean, found);
        }

        if (text.IndexOfAnyInRange('\uAC00', '\uD7A3') >= 0)
        {
            FindHangul(clean, found);
        }

        if (text.IndexOfAnyInRange('\u0620', '\u06FF') >= 0)
        {
            FindArabicScript(clean, found);
        }
    }

    /// <summary>What a cue is: a lead ("我叫" + name) or an honorific after a name, and how many
    /// characters of given name the honorific needs after the surname.</summary>
    private enum HanCue { Lead, AfterSurname, AfterFullName }

    private static readonly (string Text, HanCue Kind)[] HanCues =
    [
        ("我的名字是", HanCue.Lead), ("姓名是", HanCue.Lead), ("姓名：", HanCue.Lead), ("姓名:", HanCue.Lead), ("我叫", HanCue.Lead), ("名叫", HanCue.Lead),
        // Mr, Ms, Miss (also Japanese 先生, sensei) and the Japanese honorifics follow a surname alone ("王先生", "佐藤さん").
        ("先生", HanCue.AfterSurname), ("女士", HanCue.AfterSurname), ("小姐", HanCue.AfterSurname),
        ("さん", HanCue.AfterSurname), ("様", HanCue.AfterSurname), ("くん", HanCue.AfterSurname), ("ちゃん", HanCue.AfterSurname),
        // Teacher, doctor are also ordinary words after a noun ("数学老师", maths teacher): a full name
        // only. Not 教授 (professor), which is also the verb "teach" ("课程还将教授…").
        ("老师", HanCue.AfterFullName), ("医生", HanCue.AfterFullName),
    ];

    /// <summary>The cues' first characters: a search for these and a look at what follows is several
    /// times cheaper on Chinese text than a multi-string search for the cues.</summary>
    private static readonly System.Buffers.SearchValues<char> HanCueStarts = System.Buffers.SearchValues.Create([.. HanCues.Select(c => c.Text[0]).Distinct()]);

    /// <summary>Characters a given name hardly holds: where "我叫王伟是…" stops, why "课程还将" is no name.</summary>
    private static readonly System.Buffers.SearchValues<char> Particles = System.Buffers.SearchValues.Create("是的在和与了也就从来住说想要今还将比被把对给向，。、！？ ,.!?:：;；()（）");

    /// <summary>Every cue in one pass over the text (one vectorised search for all of them).</summary>
    private static void FindHan(string clean, CleanFindings found)
    {
        var family = PersonNameGazetteer.UncasedFamilyNames;
        for (var at = 0; at < clean.Length;)
        {
            var next = clean.AsSpan(at).IndexOfAny(HanCueStarts);
            if (next < 0)
            {
                return;
            }

            at += next;
            var match = Array.FindIndex(HanCues, c => clean.AsSpan(at).StartsWith(c.Text, StringComparison.Ordinal));
            if (match < 0)
            {
                at++;
                continue;
            }

            var (cue, kind) = HanCues[match];
            if (kind == HanCue.Lead)
            {
                AfterLead(clean, at + cue.Length, family, found);
            }
            else
            {
                BeforeHonorific(clean, at, family, minGiven: kind == HanCue.AfterFullName ? 1 : 0, found);
            }

            at += cue.Length;
        }
    }

    /// <summary>A surname and one or two more characters, stopping at a particle.</summary>
    private static void AfterLead(string clean, int start, IReadOnlySet<string> family, CleanFindings found)
    {
        var surname = SurnameAt(clean, start, family);
        if (surname > 0)
        {
            var end = start + surname;
            while (end < clean.Length && end - start - surname < 2 && IsHan(clean[end]) && !Particles.Contains(clean[end]))
            {
                end++;
            }

            Report(found, start, end, end > start + surname ? 0.8f : 0.7f);
        }
    }

    /// <summary>The name right before an honorific: the shortest run of Han or kana characters
    /// (surname, then at most two more) that starts with a listed surname, so that "感谢王先生"
    /// gives 王, not 谢王 (谢 is a surname too).</summary>
    private static void BeforeHonorific(string clean, int at, IReadOnlySet<string> family, int minGiven, CleanFindings found)
    {
        for (var length = 1; length <= 4 && at - length >= 0 && IsHanOrKana(clean[at - length]); length++)
        {
            var start = at - length;
            var surname = SurnameAt(clean, start, family);
            if (surname > 0 && length - surname >= minGiven && length - surname <= 2 && !clean.AsSpan(start + surname, length - surname).ContainsAny(Particles))
            {
                Report(found, start, at, length > surname ? 0.8f : 0.7f);
                return;
            }
        }
    }

    /// <summary>The length of the listed surname at <paramref name="at"/> (two characters first: 欧阳, 佐藤), or 0.</summary>
    private static int SurnameAt(string clean, int at, IReadOnlySet<string> family)
    {
        for (var length = Math.Min(2, clean.Length - at); length >= 1; length--)
        {
            if (family.Contains(clean.Substring(at, length)))
            {
                return length;
            }
        }

        return 0;
    }

    private static void FindHangul(string clean, CleanFindings found)
    {
        var family = PersonNameGazetteer.UncasedFamilyNames;
        foreach (var honorific in new[] { "씨", "님" })
        {
            for (var at = clean.IndexOf(honorific, StringComparison.Ordinal); at >= 3; at = clean.IndexOf(honorific, at + 1, StringComparison.Ordinal))
            {
                var start = at - (at >= 4 && clean[at - 1] == ' ' ? 4 : 3);
                if (IsKoreanName(clean, start, family))
                {
                    Report(found, start, start + 3, 0.8f);
                }
            }
        }

        const string cue = "제 이름은 ";
        for (var at = clean.IndexOf(cue, StringComparison.Ordinal); at >= 0; at = clean.IndexOf(cue, at + 1, StringComparison.Ordinal))
        {
            var start = at + cue.Length;
            if (start + 3 <= clean.Length && IsKoreanName(clean, start, family, followedByWordEnd: false))
            {
                Report(found, start, start + 3, 0.8f);
            }
        }
    }

    /// <summary>Three Hangul syllables, the first a listed surname, standing alone as a word (before a
    /// particle or ending when <paramref name="followedByWordEnd"/> is false: "이민호입니다").</summary>
    private static bool IsKoreanName(string clean, int start, IReadOnlySet<string> family, bool followedByWordEnd = true)
    {
        if (start < 0 || start + 3 > clean.Length || (start > 0 && IsHangul(clean[start - 1])))
        {
            return false;
        }

        for (var i = start; i < start + 3; i++)
        {
            if (!IsHangul(clean[i]))
            {
                return false;
            }
        }

        var endsWord = start + 3 == clean.Length || !IsHangul(clean[start + 3]) || clean[start + 3] is '씨' or '님';
        return family.Contains(clean.Substring(start, 1)) && (endsWord || !followedByWordEnd);
    }

    private static readonly string[] ArabicCues = ["اسمي", "السيد", "السيدة", "الدكتور", "الدكتورة", "آقای", "خانم"];

    private static readonly System.Buffers.SearchValues<string> ArabicCueValues = System.Buffers.SearchValues.Create([.. ArabicCues, "اسم"], StringComparison.Ordinal);

    private static void FindArabicScript(string clean, CleanFindings found)
    {
        var given = PersonNameGazetteer.UncasedGivenNames;
        var family = PersonNameGazetteer.UncasedFamilyNames;
        if (clean.AsSpan().IndexOfAny(ArabicCueValues) < 0)
        {
            return;
        }

        var words = Words(clean);
        string Text(int i) => clean.Substring(words[i].Start, words[i].Length);
        for (var i = 0; i + 1 < words.Count; i++)
        {
            // "اسم من" (Persian: my name) is two words; the others one.
            var cueWords = Text(i) == "اسم" && words[i].Joined && Text(i + 1) == "من" ? 2 : ArabicCues.Contains(Text(i)) ? 1 : 0;
            var first = i + cueWords;
            if (cueWords == 0 || first >= words.Count || !words[first - 1].Joined || Text(first) == "است")
            {
                continue;
            }

            var last = words[first].Joined && first + 1 < words.Count && (given.Contains(Text(first + 1)) || family.Contains(Text(first + 1))) ? first + 1 : first;
            Report(found, words[first].Start, words[last].Start + words[last].Length, 0.8f);
            i = last;
        }
    }

    /// <summary>Runs of Arabic-script letters in order; Joined when one space and another such word
    /// follow (a name never crosses punctuation or a line).</summary>
    private static List<(int Start, int Length, bool Joined)> Words(string clean)
    {
        var words = new List<(int, int, bool)>();
        for (var at = 0; at < clean.Length;)
        {
            if (!IsArabicLetter(clean[at]))
            {
                at++;
                continue;
            }

            var start = at;
            while (at < clean.Length && IsArabicLetter(clean[at]))
            {
                at++;
            }

            words.Add((start, at - start, at + 1 < clean.Length && clean[at] == ' ' && IsArabicLetter(clean[at + 1])));
        }

        return words;
    }

    private static void Report(CleanFindings found, int start, int end, float score)
    {
        if (end > start)
        {
            found.AddUnlessOverlapping("person-name", score, start, end - start);
        }
    }

    private static bool IsHan(char c) => c is >= '\u4E00' and <= '\u9FFF';

    private static bool IsHanOrKana(char c) => c is >= '\u4E00' and <= '\u9FFF' or >= '\u30A0' and <= '\u30FF';

    private static bool IsHangul(char c) => c is >= '\uAC00' and <= '\uD7A3';

    private static bool IsArabicLetter(char c) => c is >= '\u0620' and <= '\u064A' or >= '\u066E' and <= '\u06D3' or '\u06D5' or >= '\u06FA' and <= '\u06FC';
}
