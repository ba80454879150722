using Guardrail.Contracts.V1;
using Guardrail.State.Control;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl keys create | list | revoke (a tenant's API keys) and keys generate (an
/// operator key, made here and never sent anywhere: the gateway is given only its hash).</summary>
public static class KeysCommand
{
    public static readonly IReadOnlySet<string> Flags = new HashSet<string> { "json" };

    public static async Task<int> RunAsync(GatewayConnection client, CommandArgs args)
    {
        var sub = AdminOutput.Subcommand(args, "keys", "create", "list", "revoke", "generate");
        var tenant = args.Value("tenant") ?? string.Empty;
        switch (sub)
        {
            case "generate":
                args.OnlyAllow();
                var key = ApiKeySecret.Generate();
                Console.WriteLine($"operator key (give it to the operator; it is not stored anywhere): {key}");
                Console.WriteLine($"gateway setting (Guardrail:Auth:OperatorKeys entry):            {key.OperatorEntry()}");
                return 0;
            case "create":
                args.OnlyAllow("tenant", "name", "scope", "expires-in", "json");
                var request = new CreateApiKeyRequest
                {
                    TenantId = tenant,
                    Name = args.Value("name") ?? string.Empty,
                    ExpiresInSeconds = args.Value("expires-in") is { } expires ? AdminOutput.Seconds(expires) : 0,
                };
                request.Scopes.Add(args.Values("scope").Count > 0 ? args.Values("scope") : [ApiKeyScopes.Screen]);
                var created = await client.Admin.CreateApiKeyAsync(request, deadline: AdminOutput.Deadline());
                if (args.Flag("json"))
                {
                    AdminOutput.PrintJson(created);
                    return 0;
                }

                Console.WriteLine($"key {created.Key.Id} for tenant {created.Key.TenantId}, scopes {string.Join(",", created.Key.Scopes)}, expires {AdminOutput.Time(created.Key.ExpiresAtMs)}");
                Console.WriteLine("secret (shown once; only its hash is stored):");
                Console.WriteLine(created.Secret);
                return 0;
            case "list":
                args.OnlyAllow("tenant", "json");
                var list = await client.Admin.ListApiKeysAsync(new ListApiKeysRequest { TenantId = tenant }, deadline: AdminOutput.Deadline());
                if (args.Flag("json"))
                {
                    AdminOutput.PrintJson(list);
                    return 0;
                }

                Table.Print(["KEY", "TENANT", "NAME", "SCOPES", "CREATED", "EXPIRES", "REVOKED"], list.Keys.Select(k => new[]
                {
                    k.Id, k.TenantId, k.Name.Length > 0 ? k.Name : "-", string.Join(",", k.Scopes), AdminOutput.Time(k.CreatedAtMs),
                    AdminOutput.Time(k.ExpiresAtMs), k.RevokedAtMs == 0 ? "-" : $"{AdminOutput.Time(k.RevokedAtMs)} by {k.RevokedBy}",
                }));
                return 0;
            default:
                args.OnlyAllow("tenant", "json");
                var id = args.Positionals.Count > 1 ? args.Positionals[1] : throw new UsageException("usage: guardrailctl keys revoke KEY_ID [--tenant ID]");
                var revoked = await client.Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { TenantId = tenant, KeyId = id }, deadline: AdminOutput.Deadline());
                if (args.Flag("json"))
                {
                    AdminOutput.PrintJson(revoked);
                }
                else
                {
                    Console.WriteLine($"key {revoked.Id} of tenant {revoked.TenantId} revoked at {AdminOutput.Time(revoked.RevokedAtMs)} by {revoked.RevokedBy}");
                }

                return 0;
        }
    }
}
