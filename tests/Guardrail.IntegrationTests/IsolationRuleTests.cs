using System.Diagnostics;
using Guardrail.Audit.Reading;
using Guardrail.Audit.Records;
using Guardrail.Contracts.V1;
using Guardrail.Tests.Shared;
using Xunit.Abstractions;

namespace Guardrail.IntegrationTests;

/// <summary>
/// Isolation rules through real processes: a target model whose outputs keep getting blocked is
/// isolated by its rule (mode auto) on every gateway of a three-silo cluster within the rule's
/// window, with its fallback, while another model's traffic sees no change; the audit log holds the
/// evidence (counts, request ids, no text) and an operator restores the model. Mode suggest flags a
/// model to operators and leaves it serving.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class IsolationRuleTests(ITestOutputHelper output)
{
    private const string Canary = "ZX-CANARY-7731";
    private const string Leak = "Sure. My instructions begin: ZX-CANARY-7731, you are a helpful assistant for Acme.";
    private const string Benign = "Banana bread needs ripe bananas, flour, butter, sugar and an egg.";

    [Fact]
    public async Task A_model_whose_outputs_keep_leaking_is_isolated_on_every_gateway_within_its_window_and_other_traffic_is_untouched()
    {
        await using var redis = await RedisServer.StartAsync();
        var op = OperatorKey.Create();
        string[] settings =
        [
            "--Guardrail:State:Store=redis", $"--Guardrail:State:Redis={redis.Endpoint}", "--Guardrail:Auth:Enabled=true", op.Setting,
            "--Guardrail:Detection:Encoder=off",
            "--Guardrail:IsolationRules:Models:drill-leaky:Mode=auto", "--Guardrail:IsolationRules:Models:drill-leaky:WindowSeconds=10",
            "--Guardrail:IsolationRules:Models:drill-leaky:MinOutputs=10", "--Guardrail:IsolationRules:Models:drill-leaky:BlockedRate=0.5",
            "--Guardrail:IsolationRules:Models:drill-leaky:Fallback=drill-safe",
        ];
        var gateways = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => GatewayProcess.StartAsync(settings)));
        await using var g1 = gateways[0];
        await using var g2 = gateways[1];
        await using var g3 = gateways[2];
        var clients = gateways.Select(g => new KeyedClient(g.Address, op.Key)).ToArray();
        try
        {
            foreach (var client in clients)
            {
                Assert.Equal(Verdict.Allow, (await Output(client, "drill-leaky", Benign)).Verdict); // warm, and the model serves
            }

            // Steady traffic on another model through all three gateways for the whole drill.
            using var stop = new CancellationTokenSource();
            var steady = Task.Run(async () =>
            {
                var (calls, changed) = (0, 0);
                while (!stop.IsCancellationRequested)
                {
                    var response = await Output(clients[calls % 3], "drill-steady", Benign);
                    changed += response.Verdict == Verdict.Allow ? 0 : 1;
                    calls++;
                    await Task.Delay(20);
                }

                return (calls, changed);
            });

            // The leaking model: one output every 50 ms, rotating over the gateways, until every
            // gateway answers for it with the isolation.
            var clock = Stopwatch.StartNew();
            var blockedIds = new List<string>();
            TimeSpan? isolatedEverywhere = null;
            for (var i = 0; isolatedEverywhere is null && clock.Elapsed < TimeSpan.FromSeconds(20); i++)
            {
                var response = await Output(clients[i % 3], "drill-leaky", Leak);
                Assert.Equal(Verdict.Block, response.Verdict);
                if (response.FallbackModelId.Length == 0)
                {
                    blockedIds.Add(response.RequestId);
                }
                else
                {
                    var probes = await Task.WhenAll(clients.Select(c => Output(c, "drill-leaky", Benign)));
                    if (probes.All(p => p.Verdict == Verdict.Block && p.FallbackModelId == "drill-safe"))
                    {
                        isolatedEverywhere = clock.Elapsed;
                        Assert.All(probes, p => Assert.Contains(p.Reasons, r => r.Contains("isolation rule:", StringComparison.Ordinal)));
                    }
                }

                await Task.Delay(50);
            }

            await Task.Delay(500);
            await stop.CancelAsync();
            var (steadyCalls, steadyChanged) = await steady;
            output.WriteLine($"isolated on all three gateways {isolatedEverywhere?.TotalMilliseconds:0} ms after the first leaking output ({blockedIds.Count} blocked outputs before it); steady model: {steadyCalls} calls, {steadyChanged} not ALLOW");
            Assert.NotNull(isolatedEverywhere);
            Assert.True(isolatedEverywhere < TimeSpan.FromSeconds(10), $"isolated after {isolatedEverywhere}; the rule's window is 10 s");
            // The rule needs 10 outputs, half blocked: with the three warm-up outputs, the seventh leak
            // is the first that can cross it; it acts within a report period or two after that.
            Assert.InRange(blockedIds.Count, 7, 40);
            Assert.True(steadyCalls > 20, $"only {steadyCalls} steady calls");
            Assert.Equal(0, steadyChanged);

            var listed = await clients[1].Admin.ListModelsAsync(new ListModelsRequest { Kind = ModelKind.Target }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync;
            var entry = Assert.Single(listed.Models, m => m.Id == "drill-leaky");
            Assert.Equal((ModelStatus.Isolated, "isolation-rule", "drill-safe"), (entry.Status, entry.Actor, entry.Fallback));
            Assert.DoesNotContain(listed.Models, m => m.Id == "drill-steady");

            // The evidence: one auto-isolate record in one gateway's audit log, with counts and the
            // blocked outputs' request ids, and none of their text.
            AuditRecord? evidence = null;
            await Poll.UntilAsync(() => (evidence = AutoIsolations(gateways).SingleOrDefault()) is not null, TimeSpan.FromSeconds(10), "the auto-isolate audit record");
            Assert.Single(AutoIsolations(gateways));
            Assert.Equal((AdminAuditRecords.Cluster, "isolation-rule", "drill-leaky"), (evidence!.Tenant, evidence.Actor, evidence.Target));
            Assert.Matches(@"\d+ of \d+ outputs blocked", evidence.Detail);
            Assert.Contains("canary×", evidence.Detail, StringComparison.Ordinal);
            var cited = evidence.Detail!.Split("request ids ")[1].Split(' ');
            Assert.NotEmpty(cited);
            Assert.All(cited, id => Assert.Contains(id, blockedIds));
            Assert.DoesNotContain(Canary, evidence.Detail, StringComparison.Ordinal);
            Assert.DoesNotContain("instructions begin", evidence.Detail, StringComparison.Ordinal);

            // An operator restores it: every gateway serves it again.
            await clients[2].Admin.RestoreModelAsync(new ModelChangeRequest { Model = new ModelRef { Kind = ModelKind.Target, Id = "drill-leaky" }, Reason = "prompt fixed" }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync;
            await Poll.UntilAsync(() => clients.All(c => Output(c, "drill-leaky", Benign).Result.Verdict == Verdict.Allow), TimeSpan.FromSeconds(3), "every gateway to serve the restored model");
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task In_suggest_mode_a_leaking_model_is_flagged_to_operators_and_keeps_serving()
    {
        // The default rule: suggest, at half of at least 20 outputs in 60 s.
        await using var gateway = await GatewayProcess.StartAsync("--Guardrail:Detection:Encoder=off", "--Guardrail:IsolationRules:ReportMs=50");
        using var client = new KeyedClient(gateway.Address);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(Verdict.Block, (await Output(client, "suggest-model", Leak)).Verdict);
        }

        AuditRecord? suggestion = null;
        await Poll.UntilAsync(() => (suggestion = Admin(gateway, "suggest-isolate-model").SingleOrDefault()) is not null, TimeSpan.FromSeconds(10), "the suggestion's audit record");
        Assert.Equal(("isolation-rule", "suggest-model"), (suggestion!.Actor, suggestion.Target));
        Assert.Contains("20 of 20 outputs blocked", suggestion.Detail, StringComparison.Ordinal);
        Assert.Equal(Verdict.Allow, (await Output(client, "suggest-model", Benign)).Verdict);
        for (var i = 0; i < 20; i++)
        {
            await Output(client, "suggest-model", Leak);
        }

        await Task.Delay(500);
        Assert.Single(Admin(gateway, "suggest-isolate-model")); // one notice per window
        Assert.Contains("Isolation rule suggests isolating target model suggest-model", gateway.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, gateway.Output, StringComparison.Ordinal);
    }

    private static Task<ScreenResponse> Output(KeyedClient client, string model, string text)
        => client.Screen.ScreenAsync(new ScreenRequest { Text = text, ModelId = model, Channel = Channel.ModelOutput, CanaryTokens = { Canary } }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync;

    private static List<AuditRecord> AutoIsolations(IEnumerable<GatewayProcess> gateways) => [.. gateways.SelectMany(g => Admin(g, "auto-isolate-model"))];

    private static IEnumerable<AuditRecord> Admin(GatewayProcess gateway, string action)
        => Directory.Exists(gateway.AuditDirectory)
            ? AuditFiles.Search(gateway.AuditDirectory, new AuditQuery(), []).Where(r => r.Kind == AuditRecord.AdminKind && r.Action == action)
            : [];
}
