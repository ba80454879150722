using System.Text.Json;

namespace Guardrail.IntegrationTests;

/// <summary>
/// Real gRPC clients from other ecosystems call a real gateway process: Node's @grpc/grpc-js with
/// @grpc/proto-loader loading protos/, and Debian's Python grpcio with the protos compiled at run
/// time. Each client runs the scenarios of tests/interop/scenarios.json and prints what it got.
/// The README's test command installs both (npm ci; apt-get install python3-grpcio ...). The
/// gateway runs with reversible anonymisation on, so the clients also make a placeholder round trip.
/// </summary>
public sealed class InteropTests(AnonymizingGatewayFixture fixture) : IClassFixture<AnonymizingGatewayFixture>
{
    private static readonly string InteropDir = Path.Combine(RepoPaths.Root, "tests", "interop");

    public static TheoryData<string> Clients => new() { "node", "python" };

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task Client_gets_correct_verdicts_and_statuses(string client)
    {
        using var results = await RunClientAsync(client);
        var r = results.RootElement;
        using var scenarioFile = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(InteropDir, "scenarios.json")));
        var s = scenarioFile.RootElement;

        Assert.Equal("SERVING", r.GetProperty("health").GetProperty("status").GetString());
        Assert.Equal("VERDICT_ALLOW", Verdict(r, "benign"));
        Assert.Equal(10, r.GetProperty("benign").GetProperty("detectors").GetArrayLength());
        Assert.All(r.GetProperty("benign").GetProperty("detectors").EnumerateArray(),
            d => Assert.StartsWith("guardrail-", d.GetProperty("model").GetString()));

        Assert.Equal("VERDICT_BLOCK", Verdict(r, "injection"));
        Assert.Contains(Findings(r, "injection"), f => f.GetProperty("rule").GetString() == "ignore-previous-instructions");

        Assert.Equal("VERDICT_REDACT", Verdict(r, "pii"));
        Assert.Equal(s.GetProperty("pii_redacted").GetString(), r.GetProperty("pii").GetProperty("redacted_text").GetString());

        // A session's PII becomes its placeholder, and the model's output gets it back.
        Assert.Equal("VERDICT_REDACT", Verdict(r, "anon_prompt"));
        Assert.Equal(s.GetProperty("anon_prompt_redacted").GetString(), r.GetProperty("anon_prompt").GetProperty("redacted_text").GetString());
        Assert.Equal("VERDICT_ALLOW", Verdict(r, "anon_output"));
        Assert.Equal(s.GetProperty("anon_output_restored").GetString(), r.GetProperty("anon_output").GetProperty("restored_text").GetString());
        Assert.Equal(3, Code(r, "deanonymize_prompt")); // INVALID_ARGUMENT: deanonymize is for model output

        Assert.Equal("VERDICT_BLOCK", Verdict(r, "smuggled"));
        Assert.Contains(Findings(r, "smuggled"), f => f.GetProperty("hidden").GetBoolean() && f.GetProperty("category").GetString() == "injection");
        Assert.Equal("VERDICT_BLOCK", Verdict(r, "encoded"));
        Assert.Contains(Findings(r, "encoded"), f => f.GetProperty("hidden_as").GetString() == "base64" && f.GetProperty("rule").GetString() == "ignore-previous-instructions");

        // A request with a GCG suffix (SmoothLLM's, a source the suffix model never trained on) is
        // flagged or blocked by the enforced suffix model; the same request without it is allowed.
        Assert.Contains(Verdict(r, "gcg"), new[] { "VERDICT_FLAG", "VERDICT_BLOCK" });
        Assert.Contains(Findings(r, "gcg"), f => f.GetProperty("category").GetString() == "adversarial_suffix");
        Assert.Equal("VERDICT_ALLOW", Verdict(r, "gcg_plain"));

        Assert.Equal("VERDICT_BLOCK", Verdict(r, "document"));
        // The phrase rule, the whole-text n-gram model and the sentence reading all find the injection
        // buried in the document, each with the document id: the rule at the phrase, the n-gram model
        // at the window that holds it, document-injection at its sentence. The encoder tier is not
        // asked: the rule's block is final.
        var documentFindings = Findings(r, "document").ToList();
        Assert.All(documentFindings, f => Assert.Equal("kb-7", f.GetProperty("document_id").GetString()));
        var prefix = s.GetProperty("document_prefix").GetString()!;
        var attackAt = prefix.EnumerateRunes().Count() * s.GetProperty("document_repeat").GetInt32();
        var expectedStart = attackAt + s.GetProperty("document_attack").GetString()!.IndexOf("ignore", StringComparison.Ordinal);
        var rule = Assert.Single(documentFindings, f => f.GetProperty("rule").GetString() == "ignore-previous-instructions");
        Assert.Equal(expectedStart, rule.GetProperty("start").GetInt32()); // code points, in any language
        var window = Assert.Single(documentFindings, f => f.GetProperty("rule").GetString() == "injection-classifier");
        Assert.InRange(attackAt, window.GetProperty("start").GetInt32(), window.GetProperty("end").GetInt32());
        Assert.DoesNotContain(documentFindings, f => f.GetProperty("rule").GetString() == "injection-encoder");
        var sentence = Assert.Single(documentFindings, f => f.GetProperty("rule").GetString() == "document-injection");
        Assert.InRange(expectedStart, sentence.GetProperty("start").GetInt32(), sentence.GetProperty("end").GetInt32());

        Assert.Equal(3, Code(r, "empty")); // INVALID_ARGUMENT
        Assert.Equal(8, Code(r, "oversized")); // RESOURCE_EXHAUSTED
        Assert.Equal(12, Code(r, "unimplemented")); // UNIMPLEMENTED
        Assert.Equal(4, Code(r, "deadline")); // DEADLINE_EXCEEDED
        Assert.InRange(r.GetProperty("deadline").GetProperty("elapsed_ms").GetInt32(), 250, 3000);
        Assert.Equal("SERVING", r.GetProperty("after").GetProperty("status").GetString());
        Assert.False(fixture.Gateway.HasExited);
    }

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task Client_passes_an_api_key_to_a_gateway_with_keys_on(string client)
    {
        var op = OperatorKey.Create();
        await using var gateway = await GatewayProcess.StartAsync("--Guardrail:Auth:Enabled=true", op.Setting);
        using (var keyed = await RunClientAsync(client, gateway, op.Key))
        {
            Assert.Equal("VERDICT_ALLOW", Verdict(keyed.RootElement, "benign"));
            Assert.Equal("VERDICT_BLOCK", Verdict(keyed.RootElement, "injection"));
        }

        using var anonymous = await RunClientAsync(client, gateway, key: null);
        Assert.Equal(16, Code(anonymous.RootElement, "benign")); // UNAUTHENTICATED
        Assert.Equal("SERVING", anonymous.RootElement.GetProperty("health").GetProperty("status").GetString()); // health needs no key
    }

    private Task<JsonDocument> RunClientAsync(string client) => RunClientAsync(client, fixture.Gateway, key: null);

    private static async Task<JsonDocument> RunClientAsync(string client, GatewayProcess gateway, string? key)
    {
        var address = $"{gateway.Address.Host}:{gateway.Address.Port}";
        var (program, args) = client switch
        {
            "node" => ("node", new[] { Path.Combine(InteropDir, "node", "interop.mjs"), address, RepoPaths.Protos }),
            _ => ("/usr/bin/python3", new[] { Path.Combine(InteropDir, "python", "interop.py"), address, RepoPaths.Protos }),
        };
        if (client == "node" && !Directory.Exists(Path.Combine(InteropDir, "node", "node_modules", "@grpc", "grpc-js")))
        {
            Assert.Fail("tests/interop/node has no node_modules: run the README's test command (scripts/test.sh), which runs npm ci there");
        }

        var result = await ProcessRunner.RunAsync(program, args, TimeSpan.FromMinutes(2), environment: key is null ? null : new Dictionary<string, string> { ["GUARDRAIL_API_KEY"] = key });
        Assert.True(result.ExitCode == 0, $"{client} client failed ({result.ExitCode}); if grpc is missing run scripts/test.sh, which installs it:\n{result.Stderr}");
        return JsonDocument.Parse(result.Stdout);
    }

    private static string? Verdict(JsonElement results, string scenario)
        => results.GetProperty(scenario).TryGetProperty("verdict", out var verdict) ? verdict.GetString()
            : $"error {results.GetProperty(scenario)}";

    private static IEnumerable<JsonElement> Findings(JsonElement results, string scenario)
        => results.GetProperty(scenario).GetProperty("findings").EnumerateArray().ToList();

    private static int Code(JsonElement results, string scenario)
        => results.GetProperty(scenario).TryGetProperty("code", out var code) ? code.GetInt32() : 0;
}
