namespace Guardrail.State.Isolation;

/// <summary>
/// Isolation rules (section "Guardrail:IsolationRules"): per target model, the share of its outputs
/// that Screen blocked (harmful content, canary leaks, secrets, injections in model output) over a
/// sliding window. Above the rule's rate the model is isolated with its fallback (mode auto) or
/// flagged to operators (mode suggest: an audit record, a metric and a log line). The counting is
/// cluster-wide: every gateway reports to the model's grain. Rules are the operator's, in each
/// gateway's configuration (the same on every gateway), because an isolation applies to every tenant.
/// </summary>
public sealed class IsolationRuleOptions
{
    public const string Section = "Guardrail:IsolationRules";

    /// <summary>The rule for target models <see cref="Models"/> does not name.</summary>
    public IsolationRuleSettings Default { get; set; } = new();

    /// <summary>Rules by target model id (the Screen request's model_id); a setting left unset takes
    /// <see cref="Default"/>'s. Ids cannot hold ':' here (the configuration key separator).</summary>
    public Dictionary<string, IsolationRuleSettings> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How often a gateway sends its counts to the models' grains. A rule can act at most
    /// this much after the output that crossed it. Default 100 ms.</summary>
    public int ReportMs { get; set; } = 100;

    /// <summary>Distinct target models a gateway reports per period; outputs of others in that period
    /// are not counted (any caller can name a model id). Default 256.</summary>
    public int MaxModelsPerReport { get; set; } = 256;

    /// <summary>The rule in force for one target model.</summary>
    public IsolationRule RuleFor(string modelId)
    {
        var model = Models.TryGetValue(modelId, out var named) ? named : null;
        return new IsolationRule(
            ParseMode(model?.Mode ?? Default.Mode ?? "suggest"),
            model?.WindowSeconds ?? Default.WindowSeconds ?? 60,
            model?.MinOutputs ?? Default.MinOutputs ?? 20,
            model?.BlockedRate ?? Default.BlockedRate ?? 0.5,
            model?.Fallback ?? Default.Fallback ?? string.Empty);
    }

    public IEnumerable<string> Validate()
    {
        if (ReportMs is < 10 or > 10_000)
        {
            yield return $"{Section}:{nameof(ReportMs)} must be between 10 and 10000 (was {ReportMs}).";
        }

        if (MaxModelsPerReport is < 1 or > 100_000)
        {
            yield return $"{Section}:{nameof(MaxModelsPerReport)} must be between 1 and 100000 (was {MaxModelsPerReport}).";
        }

        foreach (var error in Default.Validate($"{Section}:{nameof(Default)}"))
        {
            yield return error;
        }

        foreach (var (id, settings) in Models)
        {
            foreach (var error in settings.Validate($"{Section}:{nameof(Models)}:{id}"))
            {
                yield return error;
            }
        }
    }

    private static IsolationMode ParseMode(string mode) => mode.ToLowerInvariant() switch
    {
        "off" => IsolationMode.Off,
        "auto" => IsolationMode.Auto,
        _ => IsolationMode.Suggest,
    };
}

/// <summary>One rule's settings; null takes the default rule's (and then the documented default).</summary>
public sealed class IsolationRuleSettings
{
    /// <summary>off, suggest (flag to operators; the default) or auto (isolate with the fallback).</summary>
    public string? Mode { get; set; }

    /// <summary>The sliding window, in seconds (1-3600). Default 60.</summary>
    public int? WindowSeconds { get; set; }

    /// <summary>Outputs the window must hold before the rate counts, so that two blocked outputs of
    /// two are no incident. Default 20.</summary>
    public int? MinOutputs { get; set; }

    /// <summary>The share of outputs blocked (0-1] at which the rule acts. Default 0.5.</summary>
    public double? BlockedRate { get; set; }

    /// <summary>The model callers should use instead, given in the isolation (auto). Default none.</summary>
    public string? Fallback { get; set; }

    internal IEnumerable<string> Validate(string prefix)
    {
        if (Mode is not null && Mode.ToLowerInvariant() is not ("off" or "suggest" or "auto"))
        {
            yield return $"{prefix}:{nameof(Mode)} must be off, suggest or auto (was '{Mode}').";
        }

        if (WindowSeconds is < 1 or > 3600)
        {
            yield return $"{prefix}:{nameof(WindowSeconds)} must be between 1 and 3600 (was {WindowSeconds}).";
        }

        if (MinOutputs is < 1 or > 1_000_000)
        {
            yield return $"{prefix}:{nameof(MinOutputs)} must be between 1 and 1000000 (was {MinOutputs}).";
        }

        if (BlockedRate is not null && (BlockedRate <= 0 || BlockedRate > 1 || double.IsNaN(BlockedRate.Value)))
        {
            yield return $"{prefix}:{nameof(BlockedRate)} must be above 0 and at most 1 (was {BlockedRate}).";
        }

        if (Fallback is { Length: > 256 })
        {
            yield return $"{prefix}:{nameof(Fallback)} must be at most 256 characters.";
        }
    }
}
