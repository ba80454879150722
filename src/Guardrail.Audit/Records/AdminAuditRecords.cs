namespace Guardrail.Audit.Records;

/// <summary>The audit record of an admin action (isolate a model, create a key, reset a session...).</summary>
public static class AdminAuditRecords
{
    /// <summary>The tenant of cluster-wide actions (models, tenants listed).</summary>
    public const string Cluster = "_cluster";

    /// <param name="tenant">The tenant acted on, or <see cref="Cluster"/> for cluster-wide actions.</param>
    public static AuditRecord Action(string environment, string tenant, string actor, string action, string target, string? detail, DateTimeOffset time) => new()
    {
        Kind = AuditRecord.AdminKind,
        RequestId = Guid.CreateVersion7().ToString("N"),
        Time = time,
        Environment = environment,
        Tenant = tenant,
        Actor = actor,
        Action = action,
        Target = target,
        Detail = detail,
    };
}
