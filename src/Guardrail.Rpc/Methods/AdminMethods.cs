using Guardrail.Contracts.V1;

namespace Guardrail.Rpc.Methods;

/// <summary>The methods of guardrail.v1.Admin (protos/guardrail/v1/admin.proto).</summary>
public static class AdminMethods
{
    public const string Service = "guardrail.v1.Admin";

    public static readonly UnaryMethod<IsolateModelRequest, ModelEntry> IsolateModel = new(Service, "IsolateModel", IsolateModelRequest.Parser, ModelEntry.Parser);
    public static readonly UnaryMethod<ModelChangeRequest, ModelEntry> RestoreModel = new(Service, "RestoreModel", ModelChangeRequest.Parser, ModelEntry.Parser);
    public static readonly UnaryMethod<ModelChangeRequest, ModelEntry> ShadowModel = new(Service, "ShadowModel", ModelChangeRequest.Parser, ModelEntry.Parser);
    public static readonly UnaryMethod<ListModelsRequest, ListModelsResponse> ListModels = new(Service, "ListModels", ListModelsRequest.Parser, ListModelsResponse.Parser);
    public static readonly UnaryMethod<CreateTenantRequest, Tenant> CreateTenant = new(Service, "CreateTenant", CreateTenantRequest.Parser, Tenant.Parser);
    public static readonly UnaryMethod<ListTenantsRequest, ListTenantsResponse> ListTenants = new(Service, "ListTenants", ListTenantsRequest.Parser, ListTenantsResponse.Parser);
    public static readonly UnaryMethod<GetTenantRequest, Tenant> GetTenant = new(Service, "GetTenant", GetTenantRequest.Parser, Tenant.Parser);
    public static readonly UnaryMethod<UpdateTenantPolicyRequest, Tenant> UpdateTenantPolicy = new(Service, "UpdateTenantPolicy", UpdateTenantPolicyRequest.Parser, Tenant.Parser);
    public static readonly UnaryMethod<CreateApiKeyRequest, CreateApiKeyResponse> CreateApiKey = new(Service, "CreateApiKey", CreateApiKeyRequest.Parser, CreateApiKeyResponse.Parser);
    public static readonly UnaryMethod<ListApiKeysRequest, ListApiKeysResponse> ListApiKeys = new(Service, "ListApiKeys", ListApiKeysRequest.Parser, ListApiKeysResponse.Parser);
    public static readonly UnaryMethod<RevokeApiKeyRequest, ApiKey> RevokeApiKey = new(Service, "RevokeApiKey", RevokeApiKeyRequest.Parser, ApiKey.Parser);
    public static readonly UnaryMethod<SessionRequest, Session> GetSession = new(Service, "GetSession", SessionRequest.Parser, Session.Parser);
    public static readonly UnaryMethod<SessionRequest, Session> ResetSession = new(Service, "ResetSession", SessionRequest.Parser, Session.Parser);
}
