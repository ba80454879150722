using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Guardrail.Audit.Reading;
using Guardrail.Audit.Records;
using Guardrail.Contracts.V1;
using Guardrail.Tests.Shared;
using Xunit.Abstractions;

namespace Guardrail.IntegrationTests;

/// <summary>
/// A tenant's own rules across a cluster of real processes (Redis, three gateway silos): a ban
/// list changed through gateway 1's Admin is applied by all three within 100 ms (the tenant policy
/// travels with the control plane's notices), a banned topic is matched by the sentence encoder
/// on every gateway, a bad rule is INVALID_ARGUMENT naming it, and each change is audited.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class TenantRuleClusterTests(ITestOutputHelper output)
{
    private const string Topic = "investment advice: which stocks, funds or cryptocurrencies to buy";

    [Fact]
    public async Task A_ban_list_and_a_banned_topic_set_on_one_gateway_apply_on_all_three_within_100_ms()
    {
        await using var redis = await RedisServer.StartAsync();
        var op = OperatorKey.Create();
        string[] settings =
        [
            "--Guardrail:State:Store=redis", $"--Guardrail:State:Redis={redis.Endpoint}", "--Guardrail:Auth:Enabled=true", op.Setting,
            "--Guardrail:Detection:Encoder=off",
        ];
        var gateways = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => GatewayProcess.StartAsync(settings)));
        await using var g1 = gateways[0];
        await using var g2 = gateways[1];
        await using var g3 = gateways[2];
        using var admin = new KeyedClient(g1.Address, op.Key);
        // Three silos have just formed a cluster on two cores: the first grain call may take longer
        // than the state timeout (250 ms) and is answered UNAVAILABLE, as designed; a client retries.
        TenantPolicy policy = null!;
        await Poll.UntilAsync(async () =>
        {
            try
            {
                policy = (await admin.Admin.GetTenantAsync(new GetTenantRequest(), deadline: In(10)).ResponseAsync).Policy;
                return true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(20), "the new cluster answering the first admin call");
        await admin.Admin.CreateTenantAsync(new CreateTenantRequest { TenantId = "acme", Policy = policy }, deadline: In(10)).ResponseAsync;
        var key = (await admin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { TenantId = "acme", Scopes = { "screen" } }, deadline: In(10)).ResponseAsync).Secret;
        var clients = gateways.Select(g => new KeyedClient(g.Address, key)).ToArray();
        try
        {
            // A bad rule is refused, naming it; nothing changes.
            var (status, detail) = await admin.StatusOfAsync(c => Update(c, Rules(policy, Ban("falcon-0"), new TenantRule { Name = "bad-regex", Kind = "ban_regex", Pattern = @"(a)\1" })));
            Assert.Equal(StatusCode.InvalidArgument, status);
            Assert.Contains("'bad-regex': pattern does not compile", detail, StringComparison.Ordinal);

            // The topic on every gateway (the first match loads the sentence encoder there).
            await Update(admin, Rules(policy, Ban("falcon-0"), new TenantRule { Name = "no-investment-advice", Kind = "topic", Topic = Topic }));
            await Poll.UntilAsync(() => clients.All(c => Screen(c, "status of falcon-0").Result.Verdict == Verdict.Block), TimeSpan.FromSeconds(10), "the first ban list on every gateway");
            foreach (var client in clients)
            {
                var onTopic = await Screen(client, "Should I put my savings into Bitcoin or Tesla shares?");
                Assert.Equal(Verdict.Block, onTopic.Verdict);
                Assert.Contains("BLOCK: tenant rule 'no-investment-advice' in text", onTopic.Reasons);
                Assert.Equal(Verdict.Allow, (await Screen(client, "Explain the TCP three-way handshake")).Verdict);
            }

            // Trials: each replaces the banned phrase; timed from sending the update until every
            // gateway blocks the new phrase (and no longer the old one).
            var times = new List<double>();
            for (var trial = 1; trial <= 20; trial++)
            {
                var clock = Stopwatch.StartNew();
                await Update(admin, Rules(policy, Ban($"falcon-{trial}"), new TenantRule { Name = "no-investment-advice", Kind = "topic", Topic = Topic }));
                await Task.WhenAll(clients.Select(async c =>
                {
                    while ((await Screen(c, $"status of falcon-{trial}")).Verdict != Verdict.Block)
                    {
                        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"trial {trial}: not applied within 5 s");
                    }
                }));
                times.Add(clock.Elapsed.TotalMilliseconds);
                Assert.All(clients, c => Assert.Equal(Verdict.Allow, Screen(c, $"status of falcon-{trial - 1}").Result.Verdict));
            }

            times.Sort();
            var p50 = times[times.Count / 2];
            var p95 = times[(int)Math.Ceiling(times.Count * 0.95) - 1];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ban list applied on all three gateways: p50 {p50:0.0} ms, p95 {p95:0.0} ms, max {times[^1]:0.0} ms over {times.Count} trials (from sending the update)"));
            Assert.True(p95 < 100, $"p95 {p95:0.0} ms; all: {string.Join(" ", times.Select(t => t.ToString("0", CultureInfo.InvariantCulture)))}");
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        // Each accepted change is in gateway 1's audit log, and the refused one as refused.
        await g1.StopAsync(TimeSpan.FromSeconds(20));
        var updates = AuditFiles.Search(g1.AuditDirectory, new AuditQuery(Tenant: "acme"), []).Where(r => r.Kind == AuditRecord.AdminKind && r.Action == "update-tenant-policy").ToList();
        Assert.Equal(21, updates.Count(r => r.Detail is { } d && d.StartsWith("revision", StringComparison.Ordinal)));
    }

    private static TenantPolicy Rules(TenantPolicy policy, params TenantRule[] rules)
    {
        var changed = policy.Clone();
        changed.Rules.Clear();
        changed.Rules.Add(rules);
        return changed;
    }

    private static TenantRule Ban(string phrase) => new() { Name = "codenames", Kind = "ban", Phrases = { phrase } };

    private static async Task Update(KeyedClient admin, TenantPolicy policy)
    {
        var current = await admin.Admin.GetTenantAsync(new GetTenantRequest { TenantId = "acme" }, deadline: In(10)).ResponseAsync;
        await admin.Admin.UpdateTenantPolicyAsync(new UpdateTenantPolicyRequest { TenantId = "acme", Policy = policy, ExpectedRevision = current.Revision }, deadline: In(10)).ResponseAsync;
    }

    private static Task<ScreenResponse> Screen(KeyedClient client, string text)
        => client.Screen.ScreenAsync(new ScreenRequest { Text = text }, deadline: In(10)).ResponseAsync;

    private static DateTime In(int seconds) => DateTime.UtcNow.AddSeconds(seconds);
}
