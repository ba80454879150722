using System.Text.RegularExpressions;
using Guardrail.Core.Screening;

namespace Guardrail.Core.Policy;

/// <summary>
/// The tenant policy as configured (section "Guardrail:Policy"). In embedded mode one tenant is
/// served with this policy and no API key is needed.
/// </summary>
public sealed partial class PolicyOptions
{
    public const string Section = "Guardrail:Policy";

    /// <summary>The tenant requests are served as. Default "default".</summary>
    public string TenantId { get; set; } = "default";

    /// <summary>A label for this policy, returned in every response. Default "builtin-1".</summary>
    public string Version { get; set; } = "builtin-1";

    /// <summary>Thresholds and actions per detector category. Defaults: injection flag 0.5 / block
    /// 0.8 on user, document and tool channels; smuggling flag 0.5 / block 0.9; pii and secret
    /// redact at 0.5, never block; canary block at 0.5 on model output; adversarial_suffix flag 0.5 /
    /// block 0.8 on user, document and tool channels.</summary>
    public Dictionary<string, CategoryPolicyOptions> Categories { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        [DetectorCategory.Injection] = new() { FlagAt = 0.5f, BlockAt = 0.8f, Channels = "user_prompt,document,tool_output" },
        [DetectorCategory.Smuggling] = new() { FlagAt = 0.5f, BlockAt = 0.9f },
        [DetectorCategory.Pii] = new() { FlagAt = 0.5f, BlockAt = 1.01f, Redact = true },
        [DetectorCategory.Secret] = new() { FlagAt = 0.5f, BlockAt = 1.01f, Redact = true },
        [DetectorCategory.Canary] = new() { FlagAt = 0.5f, BlockAt = 0.5f, Channels = "model_output" },
        [DetectorCategory.AdversarialSuffix] = new() { FlagAt = 0.5f, BlockAt = 0.8f, Channels = "user_prompt,document,tool_output" },
    };

    /// <summary>What Screen does when the state store (Redis) cannot be reached: false (default)
    /// fails open, serving quotas and session risk from a local in-memory fallback and saying so in
    /// the verdict; true fails closed, answering UNAVAILABLE.</summary>
    public bool StateFailClosed { get; set; }

    /// <summary>Reversible anonymisation: a REDACT verdict on a prompt, document or tool output of a
    /// session replaces each PII value with the session's placeholder for it ([PERSON_1],
    /// [EMAIL_2]: the same value, the same placeholder, all session long) instead of
    /// [REDACTED:RULE], and a model output screened with deanonymize on the same session gets the
    /// originals back. The mapping is kept in the session, sealed with the audit keys
    /// (Guardrail:Audit:KeyDirectory), and expires with it. Default false.</summary>
    public bool Anonymize { get; set; }

    /// <summary>The tenant's own rules: ban lists, regexes, allow lists, banned topics
    /// (<see cref="TenantRuleOptions"/>). Default none.</summary>
    public List<TenantRuleOptions> Rules { get; set; } = [];

    /// <summary>Canary tokens planted in this tenant's system prompts. Default none.</summary>
    public List<string> CanaryTokens { get; set; } = [];

    /// <summary>Tenant ids become Redis hash tags in state keys, so braces and odd characters are refused.</summary>
    public static bool IsValidTenantId(string tenantId) => TenantIdPattern().IsMatch(tenantId);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex TenantIdPattern();

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(TenantId))
        {
            yield return $"{Section}:{nameof(TenantId)} must not be empty.";
        }
        else if (!IsValidTenantId(TenantId))
        {
            yield return $"{Section}:{nameof(TenantId)} '{TenantId}' must be 1-64 of A-Z a-z 0-9 . _ - (it is part of state store keys).";
        }

        foreach (var category in DetectorCategory.All)
        {
            if (!Categories.ContainsKey(category))
            {
                yield return $"{Section}:{nameof(Categories)}:{category} is missing.";
            }
        }

        foreach (var error in TenantRuleOptions.Validate(Rules, $"{Section}:{nameof(Rules)}"))
        {
            yield return error;
        }

        foreach (var (name, category) in Categories)
        {
            var prefix = $"{Section}:{nameof(Categories)}:{name}";
            if (!DetectorCategory.All.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                yield return $"{prefix} is not a known category ({string.Join(", ", DetectorCategory.All)}).";
            }

            if (category.FlagAt is < 0 or > 1.01f)
            {
                yield return $"{prefix}:{nameof(category.FlagAt)} must be between 0 and 1.01 (was {category.FlagAt}).";
            }

            if (category.BlockAt is < 0 or > 1.01f || category.BlockAt < category.FlagAt)
            {
                yield return $"{prefix}:{nameof(category.BlockAt)} must be between FlagAt and 1.01 (was {category.BlockAt}).";
            }

            if (!ChannelNames.TryParseList(category.Channels, out _))
            {
                yield return $"{prefix}:{nameof(category.Channels)} '{category.Channels}' must list channels from {string.Join(", ", ChannelNames.All)}, or be empty for all.";
            }
        }
    }
}

/// <summary>One category's thresholds. A score at or above <see cref="BlockAt"/> blocks; at or above
/// <see cref="FlagAt"/> flags, or redacts when <see cref="Redact"/> is set. 1.01 means never.</summary>
public sealed class CategoryPolicyOptions
{
    public float FlagAt { get; set; } = 0.5f;

    public float BlockAt { get; set; } = 0.8f;

    public bool Redact { get; set; }

    /// <summary>When one of the category's detectors cannot run: true blocks (fail-closed), false
    /// flags (fail-open). Either way the verdict names the detector. Default false.</summary>
    public bool FailClosed { get; set; }

    /// <summary>Comma-separated channels the category applies to (user_prompt, document,
    /// tool_output, model_output); empty for all. Default empty.</summary>
    public string Channels { get; set; } = string.Empty;
}
