using Guardrail.Contracts.V1;

namespace Guardrail.IntegrationTests;

/// <summary>guardrailctl load's scenarios against real gateway processes: each one's checks pass
/// on a healthy gateway and fail where the gateway does not do what the scenario expects.</summary>
[Collection(LoadCollection.Name)]
public sealed class LoadScenarioTests
{
    private static readonly string[] WideQuota = ["--Guardrail:State:Quota:RequestsPerSecond=100000000", "--Guardrail:State:Quota:Burst=100000000", "--Guardrail:Audit:Enabled=false"];

    private static Task<ProcessRunner.Result> LoadAsync(GatewayProcess gateway, string? key, params string[] args)
        => ProcessRunner.RunAsync("dotnet", [RepoPaths.CliDll, "--address", $"{gateway.Address.Host}:{gateway.Address.Port}", .. key is null ? Array.Empty<string>() : ["--key", key], "load", .. args], TimeSpan.FromMinutes(2));

    [Fact]
    public async Task Smoke_passes_on_the_default_gateway_and_fails_when_attacks_are_not_blocked()
    {
        await using var gateway = await GatewayProcess.StartAsync("--Guardrail:Audit:Enabled=false");
        var smoke = await LoadAsync(gateway, null, "--scenario", "smoke", "--duration-s", "2");
        Assert.True(smoke.ExitCode == 0, smoke.Stdout + smoke.Stderr);
        Assert.Matches(@"check ok   verdict as expected: [1-9]\d* passed, 0 failed", smoke.Stdout);
        Assert.Contains("verdicts ALLOW:", smoke.Stdout, StringComparison.Ordinal);

        // A policy that never blocks injections: the known attacks now come back FLAG.
        await using var lax = await GatewayProcess.StartAsync("--Guardrail:Audit:Enabled=false", "--Guardrail:Policy:Categories:injection:BlockAt=1.01");
        var failed = await LoadAsync(lax, null, "--scenario", "smoke", "--duration-s", "2", "--json");
        Assert.Equal(1, failed.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(failed.Stdout);
        var check = json.RootElement.GetProperty("checks").GetProperty("verdict as expected");
        Assert.True(check.GetProperty("failed").GetInt64() > 0);
        Assert.StartsWith("injection prompt: expected BLOCK, got FLAG", check.GetProperty("example").GetString(), StringComparison.Ordinal);
        Assert.False(json.RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Isolation_drill_changes_only_the_drilled_models_answers()
    {
        await using var gateway = await GatewayProcess.StartAsync(WideQuota);
        var drill = await LoadAsync(gateway, null, "--scenario", "isolation-drill", "--duration-s", "6", "--concurrency", "4", "--rps", "200",
            "--model", "gpt-x", "--other-model", "gpt-y", "--fallback", "gpt-y", "--grace-ms", "0", "--json");
        Assert.True(drill.ExitCode == 0, drill.Stdout + drill.Stderr);
        using var json = System.Text.Json.JsonDocument.Parse(drill.Stdout);
        var checks = json.RootElement.GetProperty("checks");
        foreach (var name in new[] { "isolated model: BLOCK naming the isolation", "other model: verdict as expected throughout", "drilled model outside the isolation: verdict as expected" })
        {
            Assert.True(checks.GetProperty(name).GetProperty("passed").GetInt64() > 20, name);
            Assert.Equal(0, checks.GetProperty(name).GetProperty("failed").GetInt64());
        }

        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToList();
        var isolated = rows.Single(r => r.GetProperty("phase").GetString() == "isolated" && r.GetProperty("stream").GetString() == "gpt-x");
        Assert.Equal(isolated.GetProperty("calls").GetInt32(), isolated.GetProperty("verdicts").GetProperty("BLOCK").GetInt32());
    }

    [Fact]
    public async Task Tenant_quota_throttles_only_the_flooding_tenant()
    {
        var op = OperatorKey.Create();
        await using var gateway = await GatewayProcess.StartAsync("--Guardrail:Auth:Enabled=true", op.Setting, "--Guardrail:Audit:Enabled=false",
            "--Guardrail:State:Tenants:noisy:RequestsPerSecond=20", "--Guardrail:State:Tenants:noisy:Burst=20");
        using var admin = new KeyedClient(gateway.Address, op.Key);
        var keys = new List<string>();
        foreach (var tenant in new[] { "noisy", "quiet" })
        {
            await admin.Admin.CreateTenantAsync(new CreateTenantRequest { TenantId = tenant }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync;
            keys.Add((await admin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { TenantId = tenant, Scopes = { "screen" } }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync).Secret);
        }

        var run = await LoadAsync(gateway, null, "--scenario", "tenant-quota", "--duration-s", "3", "--concurrency", "4", "--quiet-rps", "10",
            "--tenant-key", keys[0], "--tenant-key", keys[1]);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Matches(@"check ok   flooding tenant: throttled: 1 passed, 0 failed", run.Stdout);
        Assert.Matches(@"check ok   quiet tenants: verdict as expected, never throttled: [1-9]\d* passed, 0 failed", run.Stdout);
        Assert.Matches(@"quota tenant 1 \(flood\): verdicts .*THROTTLE:[1-9]", run.Stdout);

        // The same flood from a tenant whose quota it fits: the scenario says the quota never bit.
        var unthrottled = await LoadAsync(gateway, null, "--scenario", "tenant-quota", "--duration-s", "2", "--concurrency", "1", "--rps", "5",
            "--tenant-key", keys[1], "--tenant-key", keys[1]);
        Assert.Equal(1, unthrottled.ExitCode);
        Assert.Contains("check FAIL flooding tenant: throttled", unthrottled.Stdout, StringComparison.Ordinal);
    }
}
