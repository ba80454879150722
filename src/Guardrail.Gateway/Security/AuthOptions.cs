using Guardrail.State.Control;

namespace Guardrail.Gateway.Security;

/// <summary>API keys (section "Guardrail:Auth").</summary>
public sealed class AuthOptions
{
    public const string Section = "Guardrail:Auth";

    /// <summary>Require "authorization: Bearer &lt;API key&gt;" on Screen and Admin calls. Default
    /// false: every caller is the configured tenant with every scope, and the gateway says so at
    /// start. Turn on for anything but a single trusted caller.</summary>
    public bool Enabled { get; set; }

    /// <summary>Operator keys as "key id:SHA-256 of the secret" (<see cref="ApiKeySecret.OperatorEntry"/>,
    /// what `guardrailctl keys generate` prints); the keys themselves stay with the operators. Two entries rotate without downtime.
    /// Required when <see cref="Enabled"/>. Default none.</summary>
    public List<string> OperatorKeys { get; set; } = [];

    /// <summary>Failed authentications (unknown key or wrong secret) one client address may make
    /// per <see cref="FailureWindowSeconds"/> before it is refused with RESOURCE_EXHAUSTED until the
    /// window ends; keys already verified on this gateway still pass. Default 10.</summary>
    public int MaxFailures { get; set; } = 10;

    /// <summary>The failure-counting window, in seconds. Default 60.</summary>
    public int FailureWindowSeconds { get; set; } = 60;

    /// <summary>The operator keys, parsed (validated first).</summary>
    public IReadOnlyDictionary<string, string> OperatorKeyHashes()
        => OperatorKeys.Select(k => k.Split(':')).ToDictionary(p => p[0].ToLowerInvariant(), p => p[1].ToLowerInvariant(), StringComparer.Ordinal);

    public IEnumerable<string> Validate()
    {
        if (Enabled && OperatorKeys.Count == 0)
        {
            yield return $"{Section}:{nameof(OperatorKeys)} needs at least one entry when {nameof(Enabled)} is true (make one with `guardrailctl keys generate`).";
        }

        foreach (var entry in OperatorKeys)
        {
            var parts = entry.Split(':');
            if (parts.Length != 2 || parts[0].Length != 16 || !parts[0].All(Uri.IsHexDigit) || parts[1].Length != 64 || !parts[1].All(Uri.IsHexDigit))
            {
                yield return $"{Section}:{nameof(OperatorKeys)} entries must be '<16 hex key id>:<64 hex SHA-256>' as `guardrailctl keys generate` prints (one is not).";
            }
        }

        if (MaxFailures < 1)
        {
            yield return $"{Section}:{nameof(MaxFailures)} must be at least 1 (was {MaxFailures}).";
        }

        if (FailureWindowSeconds < 1)
        {
            yield return $"{Section}:{nameof(FailureWindowSeconds)} must be at least 1 (was {FailureWindowSeconds}).";
        }
    }
}
