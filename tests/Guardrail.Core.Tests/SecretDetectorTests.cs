using Guardrail.Core.Detectors;

namespace Guardrail.Core.Tests;

public class SecretDetectorTests
{
    private static readonly SecretDetector Detector = new();

    [Theory]
    [InlineData("key AKIAIOSFODNN7EXAMPLF in config", "aws-access-key-id")]
    [InlineData("export GH=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "github-token")]
    [InlineData("slack xoxb-123456789012-abcdefghijkl", "slack-token")]
    [InlineData("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe-key")]
    [InlineData("OPENAI sk-proj-Abc123Def456Ghi789Jkl012Mno345Pqr678", "openai-api-key")]
    [InlineData("maps AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "google-api-key")]
    [InlineData("auth eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt")]
    [InlineData("db_password = \"Tr0ub4dor&3xyzQ\"", "assigned-secret")]
    public void Finds_known_credential_formats(string text, string rule)
    {
        var finding = Assert.Single(Scan.With(Detector, text));
        Assert.Equal(rule, finding.Rule);
        Assert.True(finding.Score >= 0.8f);
    }

    [Fact]
    public void Finds_a_whole_private_key_block()
    {
        const string text = "here:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1234\nabcd\n-----END RSA PRIVATE KEY-----\nthanks";
        var finding = Assert.Single(Scan.With(Detector, text));
        Assert.Equal("private-key", finding.Rule);
        Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", finding.Covered(text));
        Assert.EndsWith("-----END RSA PRIVATE KEY-----", finding.Covered(text));
    }

    [Fact]
    public void A_random_token_scores_high_only_next_to_a_secret_word()
    {
        const string token = "q8ZrT3vLx9Wm2PkY7dNf4HsB6cJ1";
        Assert.Equal(0.8f, Assert.Single(Scan.With(Detector, $"Authorization: Bearer {token}")).Score);
        Assert.Equal(0.4f, Assert.Single(Scan.With(Detector, $"the build id was {token} yesterday")).Score);
    }

    [Theory]
    [InlineData("commit 3f786850e387550fdab836ed7e6dc881de23001b fixed it")] // hex hash
    [InlineData("id 550e8400-e29b-41d4-a716-446655440000")]
    [InlineData("class AbstractSingletonProxyFactoryBeanDefinitionReader {}")]
    [InlineData("api_key = \"your_api_key_here\"")]
    [InlineData("password = \"${DB_PASSWORD}\"")]
    [InlineData("token = request.headers.get('Authorization')")]
    [InlineData("the quick brown fox jumps over the lazy dog")]
    public void Ignores_code_and_placeholders(string text)
        => Assert.Empty(Scan.With(Detector, text));

    [Fact]
    public void Token_runs_keep_their_padding_and_the_next_run_starts_right_after_it()
    {
        var text = new string('A', 24) + "==" + new string('b', 30) + " short " + new string('c', 513);
        Assert.Equal([(0, 26), (26, 30)], SecretDetector.Tokens(text).ToList());
    }
}
