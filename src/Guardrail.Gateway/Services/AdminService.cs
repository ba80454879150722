using Guardrail.Audit;
using Guardrail.Audit.Records;
using Guardrail.Contracts.V1;
using Guardrail.Gateway.Control;
using Guardrail.Gateway.Security;
using Grpc.Core;
using Guardrail.Contracts.Client;
using Guardrail.Contracts.Server;
using Guardrail.State;
using Guardrail.State.Control;
using CoreKind = Guardrail.Core.Registry.ModelKind;

namespace Guardrail.Gateway.Services;

/// <summary>
/// guardrail.v1.Admin: authenticates the caller, checks what its key may do (operator: all;
/// tenant admin: its own tenant), acts on the control plane or the state store, and audits every
/// call, allowed or denied, under the caller's actor name. A model change is applied on this
/// gateway before the answer leaves; other nodes hear of it through the store.
/// </summary>
[BindServiceMethod(typeof(StrictBinding<Admin.AdminBase>), nameof(StrictBinding<Admin.AdminBase>.Bind))]
public sealed class AdminService(
    ApiKeyAuthenticator auth, ModelRegistry registry, TenantDirectory tenants, ApiKeyStore keys, ControlPlaneView control,
    FailoverStateStore state, StateOptions stateOptions, AuditTrail audit, TimeProvider time, string node)
    : Admin.AdminBase
{
    private const string Cluster = AdminAuditRecords.Cluster;

    public override Task<ModelEntry> IsolateModel(IsolateModelRequest request, ServerCallContext context)
        => ChangeModelAsync(context, "isolate-model", request.Model, request.Reason, (caller, kind, id, ct) =>
            registry.IsolateAsync(kind, id, request.Reason, request.Fallback, caller.Actor, ct));

    public override Task<ModelEntry> RestoreModel(ModelChangeRequest request, ServerCallContext context)
        => ChangeModelAsync(context, "restore-model", request.Model, request.Reason, (caller, kind, id, ct) =>
            registry.RestoreAsync(kind, id, request.Reason, caller.Actor, ct));

    public override Task<ModelEntry> ShadowModel(ModelChangeRequest request, ServerCallContext context)
        => ChangeModelAsync(context, "shadow-model", request.Model, request.Reason, (caller, kind, id, ct) =>
            registry.ShadowAsync(kind, id, request.Reason, caller.Actor, ct));

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
        => RunAsync(context, "list-models", caller => { caller.RequireOperator("ListModels"); return (Cluster, "models"); }, async (_, _) =>
        {
            var kind = AdminWire.FromWire(request.Kind);
            var read = await registry.ReadAsync(context.CancellationToken).ConfigureAwait(false);
            var response = new ListModelsResponse { Revision = (ulong)read.Revision, AppliedRevision = (ulong)control.Models.Revision, Node = node };
            response.Models.Add(read.Entries.Where(e => kind is null || e.Kind == kind).OrderBy(e => e.Kind).ThenBy(e => e.Id, StringComparer.Ordinal).Select(AdminWire.ToWire));
            return (response, (string?)null);
        });

    public override Task<Tenant> CreateTenant(CreateTenantRequest request, ServerCallContext context)
        => RunAsync(context, "create-tenant", caller => { caller.RequireOperator("CreateTenant"); return (request.TenantId, request.TenantId); }, async (caller, tenant) =>
        {
            var record = await tenants.CreateAsync(tenant, request.Policy is null ? null : AdminWire.FromWire(request.Policy), caller.Actor, context.CancellationToken).ConfigureAwait(false);
            return (AdminWire.ToWire(record, stateOptions.QuotaFor(tenant), null), $"revision {record.Revision}");
        });

    public override Task<ListTenantsResponse> ListTenants(ListTenantsRequest request, ServerCallContext context)
        => RunAsync(context, "list-tenants", caller => { caller.RequireOperator("ListTenants"); return (Cluster, "tenants"); }, async (_, _) =>
        {
            var response = new ListTenantsResponse();
            response.Tenants.Add((await tenants.ListAsync(context.CancellationToken).ConfigureAwait(false)).Select(t => AdminWire.ToWire(t, stateOptions.QuotaFor(t.Id), null)));
            return (response, (string?)null);
        });

    public override Task<Tenant> GetTenant(GetTenantRequest request, ServerCallContext context)
        => RunAsync(context, "get-tenant", caller => Own(caller, request.TenantId), async (_, tenant) =>
        {
            var record = await tenants.GetAsync(tenant, context.CancellationToken).ConfigureAwait(false) ?? throw NotFound($"tenant '{tenant}' does not exist");
            var snapshot = await state.Primary.GetTenantAsync(tenant, context.CancellationToken).ConfigureAwait(false);
            return (AdminWire.ToWire(record, stateOptions.QuotaFor(tenant), snapshot), (string?)null);
        });

    public override Task<Tenant> UpdateTenantPolicy(UpdateTenantPolicyRequest request, ServerCallContext context)
        => RunAsync(context, "update-tenant-policy", caller => Own(caller, request.TenantId), async (caller, tenant) =>
        {
            if (request.Policy is null)
            {
                throw RpcErrors.Status(StatusCode.InvalidArgument, "policy is missing");
            }

            var record = await tenants.UpdatePolicyAsync(tenant, AdminWire.FromWire(request.Policy), (long)request.ExpectedRevision, caller.Actor, context.CancellationToken).ConfigureAwait(false);
            return (AdminWire.ToWire(record, stateOptions.QuotaFor(tenant), null), $"revision {record.Revision}");
        });

    public override Task<CreateApiKeyResponse> CreateApiKey(CreateApiKeyRequest request, ServerCallContext context)
        => RunAsync(context, "create-api-key", caller => Own(caller, request.TenantId), async (caller, tenant) =>
        {
            if (!caller.IsOperator && request.Scopes.Any(s => !caller.Scopes.Contains(s)))
            {
                throw RpcErrors.Status(StatusCode.PermissionDenied, $"{caller.Actor} cannot grant scopes it does not hold");
            }

            var expires = request.ExpiresInSeconds == 0 ? 0 : time.GetUtcNow().ToUnixTimeMilliseconds() + (long)Math.Min(request.ExpiresInSeconds, 10UL * 365 * 86400) * 1000;
            var (secret, record) = await keys.CreateAsync(tenant, request.Name, [.. request.Scopes], expires, caller.Actor, context.CancellationToken).ConfigureAwait(false);
            return (new CreateApiKeyResponse { Key = AdminWire.ToWire(record), Secret = secret.ToString() }, $"key {record.Id} scopes {string.Join(",", record.Scopes)}");
        });

    public override Task<ListApiKeysResponse> ListApiKeys(ListApiKeysRequest request, ServerCallContext context)
        => RunAsync(context, "list-api-keys", caller => Own(caller, request.TenantId), async (_, tenant) =>
        {
            var response = new ListApiKeysResponse();
            response.Keys.Add((await keys.ListAsync(tenant, context.CancellationToken).ConfigureAwait(false)).Select(AdminWire.ToWire));
            return (response, (string?)null);
        });

    public override Task<ApiKey> RevokeApiKey(RevokeApiKeyRequest request, ServerCallContext context)
        => RunAsync(context, "revoke-api-key", caller => (Own(caller, request.TenantId).Tenant, request.KeyId), async (caller, tenant) =>
        {
            var record = await keys.RevokeAsync(tenant, request.KeyId, caller.Actor, context.CancellationToken).ConfigureAwait(false);
            return (AdminWire.ToWire(record), (string?)null);
        });

    public override Task<Session> GetSession(SessionRequest request, ServerCallContext context)
        => RunAsync(context, "get-session", caller => (Own(caller, request.TenantId).Tenant, SessionId(request)), async (_, tenant) =>
            (AdminWire.ToWire(tenant, request.SessionId, await state.Primary.GetSessionAsync(tenant, request.SessionId, context.CancellationToken).ConfigureAwait(false)), (string?)null));

    public override Task<Session> ResetSession(SessionRequest request, ServerCallContext context)
        => RunAsync(context, "reset-session", caller => (Own(caller, request.TenantId).Tenant, SessionId(request)), async (_, tenant) =>
        {
            await state.Primary.ResetSessionAsync(tenant, request.SessionId, context.CancellationToken).ConfigureAwait(false);
            return (AdminWire.ToWire(tenant, request.SessionId, null), (string?)null);
        });

    private Task<ModelEntry> ChangeModelAsync(
        ServerCallContext context, string action, ModelRef? model, string reason,
        Func<Caller, CoreKind, string, CancellationToken, ValueTask<(Core.Registry.ModelEntry Entry, long Revision)>> change)
        => RunAsync(context, action, caller => { caller.RequireOperator(action); return (Cluster, model?.Id ?? string.Empty); }, async (caller, _) =>
        {
            var kind = (model is null ? null : AdminWire.FromWire(model.Kind))
                ?? throw RpcErrors.Status(StatusCode.InvalidArgument, "model.kind must be MODEL_KIND_DETECTOR or MODEL_KIND_TARGET");
            var (entry, _) = await change(caller, kind, model!.Id, context.CancellationToken).ConfigureAwait(false);
            await control.RefreshAsync(context.CancellationToken).ConfigureAwait(false);
            return (AdminWire.ToWire(entry), $"{entry.Status.ToString().ToLowerInvariant()}: {reason}");
        });

    private static (string Tenant, string Target) Own(Caller caller, string requested)
    {
        var tenant = caller.AdminTenant(requested);
        return (tenant, tenant);
    }

    private static string SessionId(SessionRequest request)
        => request.SessionId.Length is > 0 and <= 256 ? request.SessionId : throw RpcErrors.Status(StatusCode.InvalidArgument, "session_id must be 1-256 characters");

    /// <summary>One admin call: authenticate, authorize (denials audited), act (store errors mapped
    /// to gRPC statuses), audit.</summary>
    private async Task<T> RunAsync<T>(ServerCallContext context, string action, Func<Caller, (string Tenant, string Target)> authorize, Func<Caller, string, Task<(T Result, string? Detail)>> act)
    {
        var caller = await auth.AuthenticateAsync(context).ConfigureAwait(false);
        (string Tenant, string Target) scope;
        try
        {
            scope = authorize(caller);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.PermissionDenied)
        {
            await audit.RecordAdminAsync(caller.Tenant, caller.Actor, action, "-", "denied: " + e.Status.Detail, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        try
        {
            var (result, detail) = await act(caller, scope.Tenant).ConfigureAwait(false);
            await audit.RecordAdminAsync(scope.Tenant, caller.Actor, action, scope.Target, detail, CancellationToken.None).ConfigureAwait(false);
            return result;
        }
        catch (ControlPlaneException e)
        {
            throw RpcErrors.Status(e.Error switch
            {
                ControlError.NotFound => StatusCode.NotFound,
                ControlError.AlreadyExists => StatusCode.AlreadyExists,
                ControlError.Conflict => StatusCode.Aborted,
                _ => StatusCode.InvalidArgument,
            }, e.Message);
        }
        catch (StateUnavailableException e)
        {
            throw RpcErrors.Status(StatusCode.Unavailable, $"state store unreachable: {e.Message}");
        }
    }

    private static RpcException NotFound(string detail) => RpcErrors.Status(StatusCode.NotFound, detail);
}
