using Grpc.Core;
using Guardrail.Audit.Sealing;
using Guardrail.Contracts.V1;
using Guardrail.Tests.Shared;

namespace Guardrail.IntegrationTests;

/// <summary>
/// Reversible anonymisation through gRPC on a real gateway: a session's prompts get stable
/// placeholders for their PII ([PERSON_1], [EMAIL_2]), the model's output screened with
/// deanonymize on the same session gets the originals back, another session cannot, an expired
/// session has taken its placeholders with it, and no value reaches the audit log or the log.
/// </summary>
public sealed class AnonymizationTests : IDisposable
{
    private const string Name = "John Smith";
    private const string Email = "john.smith@example.com";
    private const string OtherEmail = "jane.doe@example.org";
    private readonly string _keys = Directory.CreateTempSubdirectory("guardrail-keys-").FullName;

    public AnonymizationTests() => AuditKeyRing.Generate(_keys, "k1");

    [Fact]
    public async Task Prompts_get_stable_placeholders_and_the_models_output_gets_the_originals_back_in_that_session_only()
    {
        // Text retained (sealed) for every verdict, so the audit log holds the prompts too, encrypted.
        await using var gateway = await GatewayProcess.StartAsync("--Guardrail:Detection:Encoder=off", "--Guardrail:Policy:Anonymize=true",
            $"--Guardrail:Audit:KeyDirectory={_keys}", "--Guardrail:Audit:RetainVerdicts=ALLOW,FLAG,REDACT,BLOCK");
        using var client = new KeyedClient(gateway.Address);

        var first = await Prompt(client, "s1", $"Hi, I am {Name}. Write to {Email} or to 221 Baker Street, London.");
        Assert.Equal(Verdict.Redact, first.Verdict);
        Assert.Equal("Hi, I am [PERSON_1]. Write to [EMAIL_1] or to [ADDRESS_1], London.", first.RedactedText);
        var second = await Prompt(client, "s1", $"Copy {OtherEmail}, and tell {Name} at {Email}.");
        Assert.Equal($"Copy [EMAIL_2], and tell [PERSON_1] at [EMAIL_1].", second.RedactedText); // the same value, the same placeholder
        var elsewhere = await Prompt(client, "s2", $"Mail {OtherEmail}.");
        Assert.Equal("Mail [EMAIL_1].", elsewhere.RedactedText); // numbered per session

        var output = await Output(client, "s1", "Dear [PERSON_1], I wrote to [EMAIL_1] and [EMAIL_2] about [ADDRESS_1]; [PHONE_4] is not ours.");
        Assert.Equal(Verdict.Allow, output.Verdict);
        Assert.Equal($"Dear {Name}, I wrote to {Email} and {OtherEmail} about 221 Baker Street; [PHONE_4] is not ours.", output.RestoredText);

        // PII the model made up itself is redacted, and the session's placeholders restored around it.
        var mixed = await Output(client, "s1", "Ask [PERSON_1] or write to helpdesk@acme.example.");
        Assert.Equal(Verdict.Redact, mixed.Verdict);
        Assert.Equal($"Ask {Name} or write to [REDACTED:EMAIL].", mixed.RestoredText);

        Assert.Equal("Dear [PERSON_1] and [EMAIL_2].", (await Output(client, "s2", "Dear [PERSON_1] and [EMAIL_2].")).RestoredText); // s2 holds no PERSON_1 and no EMAIL_2
        Assert.Equal(OtherEmail, (await Output(client, "s2", "[EMAIL_1]")).RestoredText);

        var (status, detail) = await client.StatusOfAsync(c => c.Screen.ScreenAsync(new ScreenRequest { Text = "[EMAIL_1]", SessionId = "s1", Deanonymize = true }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, true), (status, detail.Contains("CHANNEL_MODEL_OUTPUT", StringComparison.Ordinal)));
        (status, _) = await client.StatusOfAsync(c => c.Screen.ScreenAsync(new ScreenRequest { Text = "[EMAIL_1]", Channel = Channel.ModelOutput, Deanonymize = true }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, status);

        // Nothing in clear: the audit log (records and sealed text) and the gateway's log.
        await gateway.StopAsync(TimeSpan.FromSeconds(20)); // flushes the audit log
        var audit = string.Concat(Directory.EnumerateFiles(gateway.AuditDirectory, "*", SearchOption.AllDirectories).Select(File.ReadAllText));
        Assert.Contains("s1", audit, StringComparison.Ordinal);
        foreach (var value in new[] { Name, Email, OtherEmail, "Baker Street" })
        {
            Assert.DoesNotContain(value, audit, StringComparison.Ordinal);
            Assert.DoesNotContain(value, gateway.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_expired_session_takes_its_placeholders_with_it()
    {
        await using var gateway = await GatewayProcess.StartAsync("--Guardrail:Detection:Enabled=false", "--Guardrail:Policy:Anonymize=true",
            $"--Guardrail:Audit:KeyDirectory={_keys}", "--Guardrail:State:Session:IdleSeconds=1");
        using var client = new KeyedClient(gateway.Address);
        Assert.Equal("Mail [EMAIL_1].", (await Prompt(client, "short", $"Mail {Email}.")).RedactedText);
        await Task.Delay(1500);
        Assert.Equal("Mail [EMAIL_1].", (await Output(client, "short", "Mail [EMAIL_1].")).RestoredText);
    }

    [Fact]
    public async Task Anonymize_without_audit_keys_is_a_configuration_error()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayProcess.StartAsync("--Guardrail:Policy:Anonymize=true"));
        Assert.Contains("Guardrail:Policy:Anonymize keeps each session's PII values, which are only ever stored sealed: set Guardrail:Audit:KeyDirectory", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_keys, recursive: true);

    private static Task<ScreenResponse> Prompt(KeyedClient client, string session, string text)
        => client.Screen.ScreenAsync(new ScreenRequest { Text = text, SessionId = session }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync;

    private static Task<ScreenResponse> Output(KeyedClient client, string session, string text)
        => client.Screen.ScreenAsync(new ScreenRequest { Text = text, SessionId = session, Channel = Channel.ModelOutput, Deanonymize = true }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync;
}
