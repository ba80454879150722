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
    private static readonly (string Rule, float Score, Regex Pattern)[] Formats =
    [
        ("private-key", 1.0f, PrivateKey()),
        ("aws-access-key-id", 0.95f, AwsAccessKeyId()),
        ("github-token", 0.95f, GitHubToken()),
        ("slack-token", 0.95f, SlackToken()),
        ("stripe-key", 0.95f, StripeKey()),
        ("openai-api-key", 0.9f, OpenAiKey()),
        ("google-api-key", 0.95f, GoogleApiKey()),
        ("jwt", 0.85f, Jwt()),
    ];

    public string Name => "secrets";

    public string Category => DetectorCategory.Secret;

    public string Model => "guardrail-secret-rules";

    public string Version => "1.0.0";

    public bool ScansHiddenPayloads => true;

    public void Scan(NormalizedText text, in ScanContext context, List<Finding> findings)
    {
        var clean = text.Clean;
        var first = findings.Count;
        foreach (var (rule, score, pattern) in Formats)
        {
            foreach (Match m in pattern.Matches(clean))
            {
                Add(text, findings, rule, score, m.Index, m.Length);
            }
        }

        foreach (Match m in Assignment().Matches(clean))
        {
            var value = m.Groups["value"];
            if (!IsPlaceholder(value.ValueSpan) && !Covered(findings, first, text, value.Index, value.Length))
            {
                Add(text, findings, "assigned-secret", 0.8f, value.Index, value.Length);
            }
        }

        foreach (Match m in Token().Matches(clean))
        {
            if (!LooksRandom(m.ValueSpan) || Covered(findings, first, text, m.Index, m.Length))
            {
                continue;
            }

            var contextStart = Math.Max(0, m.Index - 40);
            var nearKeyword = SecretWord().IsMatch(clean.AsSpan(contextStart, m.Index - contextStart));
            Add(text, findings, "high-entropy-token", nearKeyword ? 0.8f : 0.4f, m.Index, m.Length);
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

    private bool Covered(List<Finding> findings, int first, NormalizedText text, int index, int length)
    {
        var (start, end) = text.CleanToOriginal(index, index + length);
        for (var i = first; i < findings.Count; i++)
        {
            if (findings[i].Start < end && start < findings[i].End)
            {
                return true;
            }
        }

        return false;
    }

    private void Add(NormalizedText text, List<Finding> findings, string rule, float score, int index, int length)
    {
        var (start, end) = text.CleanToOriginal(index, index + length);
        findings.Add(new Finding(Name, Category, rule, score, start, end));
    }

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

    // The name may carry a prefix (db_password, csrf_token) but must end in the secret word ("tokenizer" is no secret).
    [GeneratedRegex(@"(?i)\b[A-Za-z0-9_.-]{0,40}?(?:api[_-]?key|secret(?:[_-]?key)?|client[_-]?secret|access[_-]?token|auth[_-]?token|password|passwd|pwd|token)[""']?\s*[:=]\s*(?<q>[""'])(?<value>[^""'\s]{8,200})\k<q>", RegexOptions.CultureInvariant)]
    private static partial Regex Assignment();

    [GeneratedRegex(@"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{24,512}={0,2}(?![A-Za-z0-9+/_=-])", RegexOptions.CultureInvariant)]
    private static partial Regex Token();

    [GeneratedRegex(@"(?i)(?:key|secret|token|passw|credential|bearer|auth)", RegexOptions.CultureInvariant)]
    private static partial Regex SecretWord();
}
