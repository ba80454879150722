using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Guardrail.Audit.Records;
using Guardrail.Cli.Load;
using Guardrail.Contracts.V1;
using Grpc.Core;
using Guardrail.Contracts.Client;

namespace Guardrail.Cli.Commands;

/// <summary>
/// guardrailctl load: the project's load generator, with the k6 scenarios' core (smoke, load,
/// spike, soak, tenant-quota, isolation-drill). Screen calls from the prompt mix, closed loop or
/// at a target rate, over one or more gateways and tenant keys; every answer's verdict is checked
/// against what the mix expects (or what the scenario expects: THROTTLE for a flooding tenant,
/// BLOCK naming the isolation for a drilled model). Prints per phase p50/p90/p99/max, calls/s,
/// errors by status, verdicts, detectors that did not run, and the checks. Exit 1 when a call
/// failed or a check did not hold.
/// </summary>
public static class LoadCommand
{
    /// <summary>What a load run was asked for; nulls take the scenario's defaults.</summary>
    private sealed record LoadSettings(
        string Scenario, int? DurationSeconds, int? Concurrency, int? Rps, int SpikeFactor, int ReportSeconds, int Chars, string? Mix, int TimeoutMs,
        string Session, string[] Targets, string[] TenantKeys, int QuietRps, string? Model, string? OtherModel, string Fallback, int GraceMs, bool Json);

    public static Command Create()
    {
        var scenario = new Option<string>("--scenario") { Description = "smoke (20 calls/s, 5 s), load, spike, soak (600 s), tenant-quota, isolation-drill", DefaultValueFactory = _ => "load" };
        scenario.AcceptOnlyFromAmong([.. LoadScenarios.Names]);
        var duration = new Option<int?>("--duration-s") { Description = "length in seconds [default: per scenario: smoke 5, soak 600, tenant-quota 20, else 30]" };
        var concurrency = new Option<int?>("--concurrency") { Description = "parallel calls [default: per scenario: smoke 1, spike 64, else 8]" };
        var rps = new Option<int?>("--rps") { Description = "calls per second, 0 for closed loop [default: per scenario: smoke 20, spike 50, else 0]" };
        var spikeFactor = CliOptions.Int("--spike-factor", 5, "spike: the middle third's rate as a multiple of --rps");
        var reportS = CliOptions.Int("--report-s", 60, "soak: seconds per report row");
        var chars = CliOptions.Int("--chars", 1000, "prompts padded to this length", minimum: 100);
        var mix = new Option<string?>("--mix") { Description = "prompt kinds' weights [default: benign=4,injection=2,pii=1,smuggling=1]" };
        var timeout = CliOptions.Int("--timeout-ms", 5000, "each call's deadline");
        var session = new Option<string>("--session") { Description = "session id prefix (each call its own session)", DefaultValueFactory = _ => "load" };
        var targets = new Option<string[]>("--target") { Description = "another gateway, called in turn with --address (repeatable)" };
        var tenantKeys = new Option<string[]>("--tenant-key") { Description = "a tenant's screen key, used in turn (repeatable) [default: --key]" };
        var quietRps = CliOptions.Int("--quiet-rps", 5, "tenant-quota: calls/s of each tenant but the first");
        var model = new Option<string?>("--model") { Description = "model_id of the calls; isolation-drill: the drilled model [default: drill-target]" };
        var otherModel = new Option<string?>("--other-model") { Description = "isolation-drill: the model that must not change [default: drill-other]" };
        var fallback = new Option<string>("--fallback") { Description = "isolation-drill: the fallback to isolate with and expect", DefaultValueFactory = _ => string.Empty };
        var grace = CliOptions.Int("--grace-ms", 2000, "isolation-drill: time after a change not judged (propagation)", minimum: 0);
        var json = CliOptions.Json("one JSON object: totals, rows, checks, ok");
        var command = new Command("load", "Screen load from the prompt mix (loadtests/prompts.json), the k6 scenarios' core: per phase p50/p90/p99/max, calls/s, errors, verdicts and checks; exit 1 on an error or a failed check")
        {
            scenario, duration, concurrency, rps, spikeFactor, reportS, chars, mix, timeout, session, targets, tenantKeys, quietRps, model, otherModel, fallback, grace, json,
        };
        command.SetAction(async (parse, _) =>
        {
            var settings = new LoadSettings(parse.GetValue(scenario)!, parse.GetValue(duration), parse.GetValue(concurrency), parse.GetValue(rps), parse.GetValue(spikeFactor),
                parse.GetValue(reportS), parse.GetValue(chars), parse.GetValue(mix), parse.GetValue(timeout), parse.GetValue(session)!, parse.GetValue(targets) ?? [],
                parse.GetValue(tenantKeys) ?? [], parse.GetValue(quietRps), parse.GetValue(model), parse.GetValue(otherModel), parse.GetValue(fallback)!, parse.GetValue(grace), parse.GetValue(json));
            using var admin = CliOptions.Connect(parse);
            return await TerminalProgress.RunAsync($"load {settings.Scenario}", settings.Json,
                progress => RunAsync(admin, parse.GetValue(CliOptions.Address)!, parse.GetValue(CliOptions.Key), settings, progress));
        });
        return command;
    }

    private static async Task<int> RunAsync(GatewayConnection admin, string address, string? apiKey, LoadSettings args, Action<string> progress)
    {
        var scenario = LoadScenarios.Parse(args.Scenario);
        var duration = TimeSpan.FromSeconds(Math.Max(1, args.DurationSeconds ?? LoadScenarios.DefaultDurationSeconds(scenario)));
        var concurrency = Math.Max(1, args.Concurrency ?? LoadScenarios.DefaultConcurrency(scenario));
        var rate = (double)Math.Max(0, args.Rps ?? LoadScenarios.DefaultRate(scenario));
        var mix = PromptMix.Load(args.Chars, args.Mix);
        var checks = new LoadChecks();
        var addresses = new[] { address }.Concat(args.Targets).ToList();
        var tenantKeys = args.TenantKeys.ToList();
        var clients = new List<GatewayConnection>();
        try
        {
            IReadOnlyList<GatewayConnection> ClientsFor(string? key)
            {
                var made = addresses.Select(a => new GatewayConnection(a, key)).ToList();
                clients.AddRange(made);
                return made;
            }

            LoadStream Stream(string label, IReadOnlyList<GatewayConnection> through, int loops, double perSecond, string model, Action<PromptMix.Prompt, ScreenResponse, TimeSpan> check) => new()
            {
                Label = label,
                Clients = through,
                Mix = mix,
                Concurrency = loops,
                Rate = perSecond,
                ModelId = model,
                Session = args.Session,
                Timeout = TimeSpan.FromMilliseconds(args.TimeoutMs),
                Check = check,
            };

            void ExpectMix(PromptMix.Prompt prompt, ScreenResponse response, TimeSpan _) => checks.Record(
                "verdict as expected", response.Verdict == prompt.Expect, () => Mismatch(prompt, response));

            var rows = scenario switch
            {
                LoadScenario.TenantQuota => await TenantQuotaAsync(),
                LoadScenario.IsolationDrill => await IsolationDrillAsync(),
                _ => await SteadyAsync(),
            };

            Report(scenario, rows, checks, args.Json, addresses.Count, Math.Max(1, tenantKeys.Count));
            return rows.All(r => r.Measurement.Errors.Count == 0) && checks.AllPassed ? 0 : 1;

            // smoke, load, spike, soak: one stream over every gateway and tenant key in turn.
            async Task<List<LoadRow>> SteadyAsync()
            {
                var through = tenantKeys.Count == 0 ? ClientsFor(apiKey) : tenantKeys.SelectMany(k => ClientsFor(k)).ToList();
                var stream = Stream("screen", through, concurrency, rate, args.Model ?? string.Empty, ExpectMix);
                var phases = scenario switch
                {
                    LoadScenario.Spike => [("base", duration / 3, rate), ("spike", duration / 3, rate * args.SpikeFactor), ("recover", duration / 3, rate)],
                    LoadScenario.Soak => Intervals(duration, TimeSpan.FromSeconds(args.ReportSeconds)).Select(i => (i.Name, i.Length, rate)).ToList(),
                    _ => new List<(string, TimeSpan, double)> { (scenario.ToString().ToLowerInvariant(), duration, rate) },
                };
                await stream.WarmUpAsync();
                var rows = new List<LoadRow>();
                foreach (var (name, length, perSecond) in phases)
                {
                    progress($"{name}, {length.TotalSeconds:0} s");
                    rows.Add(await stream.RunAsync(name, length, perSecond));
                }

                return rows;
            }

            // The first tenant key floods (closed loop, or --rps); every other key calls at --quiet-rps.
            async Task<List<LoadRow>> TenantQuotaAsync()
            {
                if (tenantKeys.Count < 2)
                {
                    throw new UsageException("--scenario tenant-quota needs two or more --tenant-key (the first floods, the others stay under quota)");
                }

                var noisy = Stream("tenant 1 (flood)", ClientsFor(tenantKeys[0]), concurrency, rate, string.Empty, (prompt, response, _) =>
                {
                    if (response.Verdict == Verdict.Throttle)
                    {
                        checks.Record("flooding tenant: THROTTLE carries retry_after_ms", response.RetryAfterMs > 0, () => "THROTTLE without retry_after_ms");
                    }
                    else
                    {
                        ExpectMix(prompt, response, TimeSpan.Zero);
                    }
                });
                var quiet = tenantKeys.Skip(1).Select((key, i) => Stream($"tenant {i + 2} (quiet)", ClientsFor(key), 1, args.QuietRps, string.Empty,
                    (prompt, response, _) => checks.Record("quiet tenants: verdict as expected, never throttled", response.Verdict == prompt.Expect, () => Mismatch(prompt, response)))).ToList();
                await Task.WhenAll(quiet.Select(s => s.WarmUpAsync())); // the flooder's quota stays untouched until the run
                progress($"tenant 1 floods, {quiet.Count} stay quiet, {duration.TotalSeconds:0} s");
                var rows = (await Task.WhenAll(new[] { noisy }.Concat(quiet).Select(s => s.RunAsync("quota", duration, s.Rate)))).ToList();
                var throttled = rows[0].Verdicts.GetValueOrDefault("THROTTLE");
                checks.Record("flooding tenant: throttled", throttled > 0, () => "the flooding tenant was never throttled: is its quota above what this load sends?");
                return rows;
            }

            // Traffic to --model and --other-model; --model is isolated for the middle third and restored.
            async Task<List<LoadRow>> IsolationDrillAsync()
            {
                var drilled = args.Model ?? "drill-target";
                var other = args.OtherModel ?? "drill-other";
                var fallback = args.Fallback;
                var grace = TimeSpan.FromMilliseconds(args.GraceMs);
                var through = tenantKeys.Count == 0 ? ClientsFor(apiKey) : ClientsFor(tenantKeys[0]);
                var isolated = false;
                var half = Math.Max(1, concurrency / 2);
                var target = Stream(drilled, through, half, rate / 2, drilled, (prompt, response, sincePhase) =>
                {
                    if (sincePhase < grace)
                    {
                        return; // the change is still reaching every gateway
                    }

                    if (Volatile.Read(ref isolated))
                    {
                        checks.Record("isolated model: BLOCK naming the isolation", response.Verdict == Verdict.Block
                            && response.Reasons.Any(r => r.Contains("isolated", StringComparison.Ordinal)) && response.FallbackModelId == fallback,
                            () => $"{response.Verdict} with reasons [{string.Join("; ", response.Reasons)}], fallback '{response.FallbackModelId}'");
                    }
                    else
                    {
                        checks.Record("drilled model outside the isolation: verdict as expected", response.Verdict == prompt.Expect, () => Mismatch(prompt, response));
                    }
                });
                var untouched = Stream(other, through, half, rate / 2, other, (prompt, response, _) =>
                    checks.Record("other model: verdict as expected throughout", response.Verdict == prompt.Expect, () => Mismatch(prompt, response)));
                await Task.WhenAll(target.WarmUpAsync(), untouched.WarmUpAsync());
                var model = new ModelRef { Kind = ModelKind.Target, Id = drilled };
                var rows = new List<LoadRow>();
                foreach (var phase in new[] { "before", "isolated", "after" })
                {
                    progress($"{phase} the isolation of {drilled}");
                    if (phase == "isolated")
                    {
                        await admin.Admin.IsolateModelAsync(new IsolateModelRequest { Model = model, Reason = "guardrailctl load isolation drill", Fallback = fallback }, deadline: AdminOutput.Deadline());
                        Volatile.Write(ref isolated, true);
                    }
                    else if (phase == "after")
                    {
                        await admin.Admin.RestoreModelAsync(new ModelChangeRequest { Model = model, Reason = "isolation drill over" }, deadline: AdminOutput.Deadline());
                        Volatile.Write(ref isolated, false);
                    }

                    rows.AddRange(await Task.WhenAll(target.RunAsync(phase, duration / 3, target.Rate), untouched.RunAsync(phase, duration / 3, untouched.Rate)));
                }

                return rows;
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    private static IEnumerable<(string Name, TimeSpan Length)> Intervals(TimeSpan duration, TimeSpan step)
    {
        for (var start = TimeSpan.Zero; start < duration; start += step)
        {
            var length = duration - start < step ? duration - start : step;
            yield return (string.Create(CultureInfo.InvariantCulture, $"{start.TotalSeconds:0}-{(start + length).TotalSeconds:0}s"), length);
        }
    }

    private static string Mismatch(PromptMix.Prompt prompt, ScreenResponse response)
        => $"{prompt.Kind} prompt: expected {ScreenAuditRecords.WireName(prompt.Expect)}, got {ScreenAuditRecords.WireName(response.Verdict)} ({string.Join("; ", response.Reasons)})";

    private static void Report(LoadScenario scenario, List<LoadRow> rows, LoadChecks checks, bool json, int gateways, int tenants)
    {
        var total = new CallMeasurement();
        foreach (var group in rows.GroupBy(r => r.Phase))
        {
            var phase = new CallMeasurement();
            foreach (var row in group)
            {
                phase.Add(row.Measurement);
            }

            phase.Seconds = group.Max(r => r.Measurement.Seconds); // streams of a phase run side by side, not one after another
            total.Add(phase);
        }

        static JsonObject ErrorsByStatus(CallMeasurement m) => new(m.Errors.GroupBy(e => e.Canonical()).Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Count())));
        static string Label(LoadRow row) => row.Label == "screen" ? row.Phase : $"{row.Phase} {row.Label}";
        static string Counts(IEnumerable<KeyValuePair<string, int>> counts) => string.Join(" ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key}:{c.Value}")));
        if (json)
        {
            var output = new JsonObject
            {
                ["scenario"] = LoadScenarios.Names[(int)scenario],
                ["calls"] = total.Latencies.Count,
                ["calls_per_second"] = Math.Round(total.Rate, 1),
                ["p50_ms"] = Math.Round(total.Percentile(0.5), 3),
                ["p90_ms"] = Math.Round(total.Percentile(0.9), 3),
                ["p99_ms"] = Math.Round(total.Percentile(0.99), 3),
                ["max_ms"] = Math.Round(total.Percentile(1), 3),
                ["errors"] = ErrorsByStatus(total),
                ["detectors_not_run"] = new JsonObject(rows.SelectMany(r => r.NotRun).GroupBy(v => v.Key).Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Sum(v => v.Value)))),
                ["rows"] = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
                {
                    ["phase"] = r.Phase,
                    ["stream"] = r.Label,
                    ["calls"] = r.Measurement.Latencies.Count,
                    ["calls_per_second"] = Math.Round(r.Measurement.Rate, 1),
                    ["p50_ms"] = Math.Round(r.Measurement.Percentile(0.5), 3),
                    ["p99_ms"] = Math.Round(r.Measurement.Percentile(0.99), 3),
                    ["errors"] = ErrorsByStatus(r.Measurement),
                    ["verdicts"] = new JsonObject(r.Verdicts.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value))),
                    ["detectors_not_run"] = new JsonObject(r.NotRun.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value))),
                }).ToArray()),
                ["checks"] = new JsonObject(checks.Results.Select(c => KeyValuePair.Create(c.Name, (JsonNode?)new JsonObject { ["passed"] = c.Passed, ["failed"] = c.Failed, ["example"] = c.Example }))),
                ["ok"] = total.Errors.Count == 0 && checks.AllPassed,
            };
            Console.WriteLine(output.ToJsonString());
            return;
        }

        Console.WriteLine($"Screen load, scenario {LoadScenarios.Names[(int)scenario]}: {gateways} gateway(s), {tenants} tenant key(s)");
        var table = rows.Select(r => r.Measurement.Row(Label(r))).ToList();
        if (rows.Count > 1)
        {
            table.Add(total.Row("total"));
        }

        Table.Print(["PHASE", "CALLS", "CALLS/S", "P50 MS", "P90 MS", "P99 MS", "MAX MS", "ERRORS"], table);
        foreach (var row in rows)
        {
            Console.WriteLine($"{Label(row)}: verdicts {Counts(row.Verdicts)}; detectors that did not run: {(row.NotRun.IsEmpty ? "none" : Counts(row.NotRun))}");
        }

        foreach (var (name, passed, failed, example) in checks.Results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"check {(failed == 0 ? "ok  " : "FAIL")} {name}: {passed} passed, {failed} failed{(example is null ? string.Empty : $" (first: {example})")}"));
        }
    }
}
