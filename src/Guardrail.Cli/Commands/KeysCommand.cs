using System.CommandLine;
using Guardrail.Contracts.V1;
using Guardrail.State.Control;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl keys create | list | revoke (a tenant's API keys) and keys generate (an
/// operator key, made here and never sent anywhere: the gateway is given only its hash).</summary>
public static class KeysCommand
{
    public static Command Create()
    {
        var generate = new Command("generate", "make an operator key here and print the entry the gateway is configured with (Guardrail:Auth:OperatorKeys)");
        generate.SetAction(_ =>
        {
            var key = ApiKeySecret.Generate();
            Console.WriteLine($"operator key (give it to the operator; it is not stored anywhere): {key}");
            Console.WriteLine($"gateway setting (Guardrail:Auth:OperatorKeys entry):            {key.OperatorEntry()}");
            return 0;
        });
        return new Command("keys", "a tenant's API keys: only their hashes are stored, the secret is shown once") { CreateKey(), List(), Revoke(), generate };
    }

    private static Command CreateKey()
    {
        var tenant = CliOptions.Tenant();
        var name = new Option<string>("--name") { Description = "a label for the key", DefaultValueFactory = _ => string.Empty };
        var scopes = new Option<string[]>("--scope") { Description = "what the key may do: screen, admin (repeatable) [default: screen]" };
        scopes.AcceptOnlyFromAmong(ApiKeyScopes.Screen, ApiKeyScopes.Admin);
        var expiresIn = new Option<string?>("--expires-in") { Description = "lifetime, e.g. 90d, 12h, 15m [default: never]" };
        var json = CliOptions.Json();
        var command = new Command("create", "create an API key for a tenant") { tenant, name, scopes, expiresIn, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = new CreateApiKeyRequest
            {
                TenantId = parse.GetValue(tenant)!,
                Name = parse.GetValue(name)!,
                ExpiresInSeconds = parse.GetValue(expiresIn) is { } expires ? AdminOutput.Seconds(expires) : 0,
            };
            request.Scopes.Add(parse.GetValue(scopes) is { Length: > 0 } given ? given : [ApiKeyScopes.Screen]);
            using var client = CliOptions.Connect(parse);
            var created = await client.Admin.CreateApiKeyAsync(request, deadline: AdminOutput.Deadline(), cancellationToken: cancellationToken);
            if (parse.GetValue(json))
            {
                AdminOutput.PrintJson(created);
                return 0;
            }

            Console.WriteLine($"key {created.Key.Id} for tenant {created.Key.TenantId}, scopes {string.Join(",", created.Key.Scopes)}, expires {AdminOutput.Time(created.Key.ExpiresAtMs)}");
            Console.WriteLine("secret (shown once; only its hash is stored):");
            Console.WriteLine(created.Secret);
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var tenant = CliOptions.Tenant();
        var json = CliOptions.Json();
        var command = new Command("list", "a tenant's keys (never their secrets)") { tenant, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = CliOptions.Connect(parse);
            var list = await client.Admin.ListApiKeysAsync(new ListApiKeysRequest { TenantId = parse.GetValue(tenant) }, deadline: AdminOutput.Deadline(), cancellationToken: cancellationToken);
            if (parse.GetValue(json))
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
        });
        return command;
    }

    private static Command Revoke()
    {
        var id = new Argument<string>("KEY_ID") { Description = "the key's id (the 16 hex digits after grk_)" };
        var tenant = CliOptions.Tenant();
        var json = CliOptions.Json();
        var command = new Command("revoke", "revoke a key: UNAUTHENTICATED at once on this gateway, within a reconcile period everywhere") { id, tenant, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = CliOptions.Connect(parse);
            var revoked = await client.Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { TenantId = parse.GetValue(tenant), KeyId = parse.GetValue(id) }, deadline: AdminOutput.Deadline(), cancellationToken: cancellationToken);
            if (parse.GetValue(json))
            {
                AdminOutput.PrintJson(revoked);
            }
            else
            {
                Console.WriteLine($"key {revoked.Id} of tenant {revoked.TenantId} revoked at {AdminOutput.Time(revoked.RevokedAtMs)} by {revoked.RevokedBy}");
            }

            return 0;
        });
        return command;
    }
}
