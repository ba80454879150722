using System.Buffers;
using System.Text.RegularExpressions;
using Guardrail.Core.Normalization;
using Guardrail.Core.Screening;

namespace Guardrail.Core.Detectors;

/// <summary>
/// Credentials: well-known key and token formats, PEM private keys, quoted secrets assigned to a
/// secret-sounding name, and high-entropy tokens. A high-entropy token alone scores below the
/// default threshold (hashes, ids and base64 data are common in code); next to a word such as
/// "token" or "Bearer" it scores high.
/// </summary>
public sealed partial class SecretDetector : ITextDetector
{
    // Each format with literals one of which any match contains: a vectorised search for them
    // skips the regex on the (usual) text that has none.
    private static readonly (string Rule, float Score, SearchValues<string> Needles, Regex Pattern)[] Formats =
    [
        ("private-key", 1.0f, Needles("PRIVATE KEY"), PrivateKey()),
        ("aws-access-key-id", 0.95f, Needles("AKIA", "ASIA", "ABIA", "ACCA"), AwsAccessKeyId()),
        ("github-token", 0.95f, Needles("gh", "github_pat_"), GitHubToken()),
        ("slack-token", 0.95f, Needles("xox"), SlackToken()),
        ("stripe-key", 0.95f, Needles("_live_", "_test_"), StripeKey()),
        ("openai-api-key", 0.9f, Needles("sk-"), OpenAiKey()),
        ("google-api-key", 0.95f, Needles("AIza"), GoogleApiKey()),
        ("jwt", 0.85f, Needles("eyJ"), Jwt()),
    ];

    // Words that make a nearby random token a likely credential; every name the assignment rule
    // accepts contains one, so their absence also skips that rule.
    private static readonly SearchValues<string> SecretWords = SearchValues.Create(
        ["key", "secret", "token", "passw", "pwd", "credential", "bearer", "auth"], StringComparison.OrdinalIgnoreCase);

    public string Name => "secrets";

    public string Category => DetectorCategory.Secret;

    public string Model => "guardrail-secret-rules";

    public string Version => "1.0.0";

    public bool ScansHiddenPayloads => true;

    public float Scan(NormalizedText text, in ScanContext context, List<Finding> findings)
    {
        var first = findings.Count;
        ScanInto(text, context, findings);
        return RuleScores.Max(findings, first);
    }

    private void ScanInto(NormalizedText text, in ScanContext context, List<Finding> findings)
    {
        var clean = text.Clean;
        var found = new CleanFindings(this, text, findings);
        foreach (var (rule, score, needles, pattern) in Formats)
        {
            if (!clean.AsSpan().ContainsAny(needles))
            {
                continue;
            }

            foreach (Match m in pattern.Matches(clean))
            {
                found.Add(rule, score, m.Index, m.Length);
            }
        }

        var hasSecretWord = clean.AsSpan().ContainsAny(SecretWords);
        if (hasSecretWord)
        {
            foreach (Match m in Assignment().Matches(clean))
            {
                var value = m.Groups["value"];
                if (!IsPlaceholder(value.ValueSpan))
                {
                    found.AddUnlessOverlapping("assigned-secret", 0.8f, value.Index, value.Length);
                }
            }
        }

        foreach (var (index, length) in Tokens(clean))
        {
            if (!LooksRandom(clean.AsSpan(index, length)) || found.Overlaps(index, length))
            {
                continue;
            }

            var contextStart = Math.Max(0, index - 40);
            var nearKeyword = hasSecretWord && clean.AsSpan(contextStart, index - contextStart).ContainsAny(SecretWords);
            found.Add("high-entropy-token", nearKeyword ? 0.8f : 0.4f, index, length);
        }
    }

    /// <summary>Runs of 24 to 512 token characters (base64, base64url, hex, alphanumerics) with
    /// up to two '=' of padding. A plain loop: a regex here tried a match at every letter of prose.</summary>
    internal static IEnumerable<(int Index, int Length)> Tokens(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            if (char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '_' or '-')
            {
                if (start < 0)
                {
                    start = i;
                }

                continue;
            }

            if (start >= 0)
            {
                var end = i;
                while (end < text.Length && end - i < 2 && text[end] == '=')
                {
                    end++;
                }

                if (i - start is >= 24 and <= 512)
                {
                    yield return (start, end - start);
                }

                start = -1;
                i = end - 1; // the loop's i++ lands on the first character after the padding
            }
        }
    }

    /// <summary>Mixed case and digits with at least 4 bits of entropy per character: what generated
    /// keys look like, and what identifiers, words and hex hashes do not.</summary>
    internal static bool LooksRandom(ReadOnlySpan<char> token)
    {
        int upper = 0, lower = 0, digits = 0;
        foreach (var c in token)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                upper++;
            }
            else if (char.IsAsciiLetterLower(c))
            {
                lower++;
            }
            else if (char.IsAsciiDigit(c))
            {
                digits++;
            }
        }

        return upper >= 2 && lower >= 2 && digits >= 2 && Checksums.Entropy(token) >= 4.0;
    }

    private static bool IsPlaceholder(ReadOnlySpan<char> value)
    {
        var v = value.ToString();
        return v.Contains("your", StringComparison.OrdinalIgnoreCase)
            || v.Contains("xxxx", StringComparison.OrdinalIgnoreCase)
            || v.Contains("example", StringComparison.OrdinalIgnoreCase)
            || v.Contains("changeme", StringComparison.OrdinalIgnoreCase)
            || v.Contains("placeholder", StringComparison.OrdinalIgnoreCase)
            || v.StartsWith('<') || v.StartsWith("${", StringComparison.Ordinal) || v.StartsWith("{{", StringComparison.Ordinal)
            || v.All(c => c == '*' || c == '.' || c == '-');
    }

    private static SearchValues<string> Needles(params string[] values) => SearchValues.Create(values, StringComparison.Ordinal);

    [GeneratedRegex(@"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[\s\S]{0,4096})", RegexOptions.CultureInvariant)]
    private static partial Regex PrivateKey();

    [GeneratedRegex(@"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex AwsAccessKeyId();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})(?![A-Za-z0-9_])", RegexOptions.CultureInvariant)]
    private static partial Regex GitHubToken();

    [GeneratedRegex(@"(?<![A-Za-z0-9-])xox[abposr]-[A-Za-z0-9-]{10,250}", RegexOptions.CultureInvariant)]
    private static partial Regex SlackToken();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,247}(?![A-Za-z0-9_])", RegexOptions.CultureInvariant)]
    private static partial Regex StripeKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])sk-(?:proj-|ant-(?:api\d\d-)?|svcacct-)?[A-Za-z0-9_-]{32,200}(?![A-Za-z0-9_-])", RegexOptions.CultureInvariant)]
    private static partial Regex OpenAiKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])", RegexOptions.CultureInvariant)]
    private static partial Regex GoogleApiKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", RegexOptions.CultureInvariant)]
    private static partial Regex Jwt();

    // Anchored on the secret word, which may follow a prefix (db_password, csrf_token) but must end
    // the name ("tokenizer" is no secret).
    [GeneratedRegex(@"(?i)(?:api[_-]?key|secret(?:[_-]?key)?|client[_-]?secret|access[_-]?token|auth[_-]?token|password|passwd|pwd|token)[""']?\s*[:=]\s*(?<q>[""'])(?<value>[^""'\s]{8,200})\k<q>", RegexOptions.CultureInvariant)]
    private static partial Regex Assignment();
}
