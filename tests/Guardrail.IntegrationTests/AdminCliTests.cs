using System.Text.Json;

namespace Guardrail.IntegrationTests;

/// <summary>guardrailctl's operator commands against a real gateway with keys on: tenants, keys,
/// models and sessions, as tables and as JSON, with the key from --key or GUARDRAIL_API_KEY.</summary>
public sealed class AdminCliTests
{
    [Fact]
    public async Task An_operator_creates_a_tenant_and_key_isolates_a_model_and_the_tenant_key_sees_the_block()
    {
        var op = OperatorKey.Create();
        await using var gateway = await GatewayProcess.StartAsync("--Guardrail:Auth:Enabled=true", op.Setting, "--Guardrail:Detection:Enabled=false");
        Task<ProcessRunner.Result> Run(string key, params string[] args)
            => ProcessRunner.RunAsync("dotnet", [RepoPaths.CliDll, "--address", gateway.Address.Authority, "--key", key, .. args], TimeSpan.FromMinutes(1));

        var created = await Run(op.Key, "tenants", "create", "acme");
        Assert.True(created.ExitCode == 0, created.Stderr);
        Assert.Contains("tenant acme: policy r1 (revision 1", created.Stdout);
        var key = await Run(op.Key, "keys", "create", "--tenant", "acme", "--scope", "screen", "--scope", "admin", "--expires-in", "1d", "--json");
        var secret = JsonDocument.Parse(key.Stdout).RootElement.GetProperty("secret").GetString()!;

        var isolated = await Run(op.Key, "models", "isolate", "--target", "gpt-x", "--reason", "INC-42", "--fallback", "gpt-y");
        Assert.Contains("gpt-x: isolated (fallback gpt-y), by operator:", isolated.Stdout);
        var list = await Run(op.Key, "models", "list", "--kind", "target");
        Assert.Matches(@"target\s+gpt-x\s+isolated\s+gpt-y\s+\S+ \S+\s+operator:[0-9a-f]{16}\s+INC-42", list.Stdout);

        var screened = await Run(secret, "screen", "--model", "gpt-x", "hello");
        Assert.Contains("verdict   BLOCK", screened.Stdout);
        Assert.Contains("fallback  model gpt-y", screened.Stdout);
        Assert.Contains("tenant    acme", screened.Stdout);

        // A Screen caller never writes to the registry (any tenant could fill it with made-up ids):
        // a target model is there once an operator isolates it. The listing runs a second later (a
        // new guardrailctl process), long after a write made on sight would have landed.
        var unseen = await Run(secret, "screen", "--model", "made-up-model-7", "hello");
        Assert.Contains("verdict   ALLOW", unseen.Stdout);
        var targets = await Run(op.Key, "models", "list", "--kind", "target");
        Assert.True(targets.ExitCode == 0, targets.Stderr);
        Assert.Contains("gpt-x", targets.Stdout);
        Assert.DoesNotContain("made-up-model-7", targets.Stdout);

        var policy = await Run(secret, "tenants", "set-policy", "--set", "injection.block_at=0.7", "--json");
        Assert.True(policy.ExitCode == 0, policy.Stderr);
        Assert.Equal(0.7, JsonDocument.Parse(policy.Stdout).RootElement.GetProperty("policy").GetProperty("categories").GetProperty("injection").GetProperty("blockAt").GetDouble(), 3);
        var session = await Run(secret, "sessions", "get", "s1");
        Assert.Contains("session s1 of tenant acme: unknown or expired", session.Stdout);

        var denied = await Run(secret, "models", "list");
        Assert.Equal(1, denied.ExitCode);
        Assert.Contains("PERMISSION_DENIED: ListModels needs an operator key", denied.Stderr);
        var typo = await Run(op.Key, "models", "isolate", "--target", "a", "--detector", "b@1");
        Assert.Equal(64, typo.ExitCode);
    }
}
