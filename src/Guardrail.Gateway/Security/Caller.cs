using Grpc.Core;
using Guardrail.Contracts.Client;
using Guardrail.State.Control;

namespace Guardrail.Gateway.Security;

/// <summary>Who is calling: their tenant, what their key may do, and the name admin actions are
/// audited under ("operator:&lt;key id&gt;", "key:&lt;key id&gt;", "embedded").</summary>
public sealed record Caller(string Tenant, string Actor, IReadOnlySet<string> Scopes)
{
    public bool IsOperator => Scopes.Contains(ApiKeyScopes.Operator);

    /// <summary>Screen needs the screen scope.</summary>
    public void RequireScreen()
    {
        if (!Scopes.Contains(ApiKeyScopes.Screen))
        {
            throw RpcErrors.Status(StatusCode.PermissionDenied, $"{Actor} lacks the '{ApiKeyScopes.Screen}' scope");
        }
    }

    /// <summary>Cluster-wide actions (models, creating and listing tenants) need an operator key.</summary>
    public void RequireOperator(string action)
    {
        if (!IsOperator)
        {
            throw RpcErrors.Status(StatusCode.PermissionDenied, $"{action} needs an operator key; {Actor} is a tenant key");
        }
    }

    /// <summary>The tenant an admin call acts on: the named one (empty: the caller's own), which a
    /// tenant key may only be its own.</summary>
    public string AdminTenant(string requested)
    {
        var tenant = requested.Length == 0 ? Tenant : requested;
        if (IsOperator)
        {
            return tenant;
        }

        if (!Scopes.Contains(ApiKeyScopes.Admin))
        {
            throw RpcErrors.Status(StatusCode.PermissionDenied, $"{Actor} lacks the '{ApiKeyScopes.Admin}' scope");
        }

        return tenant == Tenant
            ? tenant
            : throw RpcErrors.Status(StatusCode.PermissionDenied, $"{Actor} belongs to tenant '{Tenant}' and cannot act on tenant '{tenant}'");
    }
}
