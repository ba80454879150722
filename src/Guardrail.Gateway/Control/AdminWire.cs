using Guardrail.Contracts.V1;
using Guardrail.Core.Policy;
using Guardrail.State;
using Guardrail.State.Control;
using CoreKind = Guardrail.Core.Registry.ModelKind;
using CoreStatus = Guardrail.Core.Registry.ModelStatus;

namespace Guardrail.Gateway.Control;

/// <summary>Control-plane records to and from admin.proto messages.</summary>
public static class AdminWire
{
    public static ModelEntry ToWire(Core.Registry.ModelEntry entry) => new()
    {
        Kind = entry.Kind == CoreKind.Detector ? ModelKind.Detector : ModelKind.Target,
        Id = entry.Id,
        Name = entry.Name,
        Version = entry.Version,
        Status = ToWire(entry.Status),
        Reason = entry.Reason,
        Actor = entry.Actor,
        ChangedAtMs = (ulong)Math.Max(0, entry.ChangedAtMs),
        Fallback = entry.Fallback,
        PreviousStatus = ToWire(entry.PreviousStatus),
    };

    public static ModelStatus ToWire(CoreStatus status) => status switch
    {
        CoreStatus.Shadow => ModelStatus.Shadow,
        CoreStatus.Isolated => ModelStatus.Isolated,
        _ => ModelStatus.Active,
    };

    /// <summary>The kind a request names; unspecified is refused where a kind is required.</summary>
    public static CoreKind? FromWire(ModelKind kind) => kind switch
    {
        ModelKind.Detector => CoreKind.Detector,
        ModelKind.Target => CoreKind.Target,
        _ => null,
    };

    public static Tenant ToWire(TenantRecord record, QuotaOptions quota, TenantSnapshot? state)
    {
        var tenant = new Tenant
        {
            Id = record.Id,
            Policy = ToWire(record.Policy),
            Revision = (ulong)record.Revision,
            UpdatedAtMs = (ulong)Math.Max(0, record.UpdatedAtMs),
            UpdatedBy = record.UpdatedBy,
            Quota = new TenantQuota { RequestsPerSecond = quota.RequestsPerSecond, Burst = quota.Burst, DailyChars = quota.DailyChars },
        };
        if (state is not null)
        {
            tenant.State = new TenantState
            {
                Tokens = state.Tokens, DailyCharsUsed = state.DailyCharsUsed, Anomalous = state.Anomalous, LastZ = state.LastZ,
                BaselineBuckets = (uint)Math.Max(0, state.BaselineBuckets), BaselineRequestsPerBucket = state.BaselineRequestsPerBucket,
                BaselineFlagShare = state.BaselineFlagShare, BaselineMeanScore = state.BaselineMeanScore,
            };
        }

        return tenant;
    }

    public static Contracts.V1.TenantPolicy ToWire(PolicyOptions policy)
    {
        var wire = new Contracts.V1.TenantPolicy { Version = policy.Version, StateFailClosed = policy.StateFailClosed, Anonymize = policy.Anonymize };
        wire.CanaryTokens.Add(policy.CanaryTokens);
        wire.Rules.Add(policy.Rules.Select(r => new TenantRule
        {
            Name = r.Name, Kind = r.Kind, Phrases = { r.Phrases }, Pattern = r.Pattern, Topic = r.Topic, Threshold = r.Kind == "topic" ? r.Threshold : 0,
            Channels = r.Channels, Action = r.Kind == "allow" ? string.Empty : r.Action,
        }));
        foreach (var (name, category) in policy.Categories)
        {
            wire.Categories[name.ToLowerInvariant()] = new CategoryPolicy
            {
                FlagAt = category.FlagAt, BlockAt = category.BlockAt, Redact = category.Redact, FailClosed = category.FailClosed, Channels = category.Channels,
            };
        }

        return wire;
    }

    public static PolicyOptions FromWire(Contracts.V1.TenantPolicy policy) => new()
    {
        Version = policy.Version,
        StateFailClosed = policy.StateFailClosed,
        Anonymize = policy.Anonymize,
        CanaryTokens = [.. policy.CanaryTokens],
        Rules = [.. policy.Rules.Select(r => new TenantRuleOptions
        {
            Name = r.Name, Kind = r.Kind, Phrases = [.. r.Phrases], Pattern = r.Pattern, Topic = r.Topic, Threshold = r.Threshold == 0 ? new TenantRuleOptions().Threshold : r.Threshold,
            Channels = r.Channels, Action = r.Action.Length == 0 ? "block" : r.Action,
        })],
        Categories = policy.Categories.ToDictionary(
            pair => pair.Key,
            pair => new CategoryPolicyOptions { FlagAt = pair.Value.FlagAt, BlockAt = pair.Value.BlockAt, Redact = pair.Value.Redact, FailClosed = pair.Value.FailClosed, Channels = pair.Value.Channels },
            StringComparer.OrdinalIgnoreCase),
    };

    public static ApiKey ToWire(ApiKeyRecord key)
    {
        var wire = new ApiKey
        {
            Id = key.Id, TenantId = key.Tenant, Name = key.Name, CreatedAtMs = (ulong)key.CreatedAtMs, CreatedBy = key.CreatedBy,
            ExpiresAtMs = (ulong)key.ExpiresAtMs, RevokedAtMs = (ulong)key.RevokedAtMs, RevokedBy = key.RevokedBy,
        };
        wire.Scopes.Add(key.Scopes);
        return wire;
    }

    public static Session ToWire(string tenant, string session, SessionSnapshot? snapshot) => new()
    {
        TenantId = tenant,
        SessionId = session,
        Found = snapshot is not null,
        Risk = snapshot?.Risk ?? 0,
        UpdatedAtMs = (ulong)Math.Max(0, snapshot?.UpdatedMs ?? 0),
        LockedUntilMs = (ulong)Math.Max(0, snapshot?.LockedUntilMs ?? 0),
    };
}
