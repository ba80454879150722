using System.CommandLine;

namespace Guardrail.Cli;

/// <summary>Options several commands share: where the gateway is and the API key (on every
/// command, from the environment by default), --json, --tenant.</summary>
public static class CliOptions
{
    public static readonly Option<string> Address = new("--address")
    {
        Description = "gateway (or worker) address, HOST:PORT or http://HOST:PORT; $GUARDRAIL_ADDRESS sets the default",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("GUARDRAIL_ADDRESS") is { Length: > 0 } env ? env : "127.0.0.1:50051",
    };

    public static readonly Option<string?> Key = new("--key")
    {
        Description = "API key, sent as 'authorization: Bearer KEY'; $GUARDRAIL_API_KEY sets the default (none: the gateway runs without keys)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("GUARDRAIL_API_KEY") is { Length: > 0 } env ? env : null,
    };

    public static Option<bool> Json(string what = "print the answer as proto3 JSON") => new("--json") { Description = what };

    public static Option<string> Tenant() => new("--tenant")
    {
        Description = "the tenant to act on [default: the key's own tenant]",
        DefaultValueFactory = _ => string.Empty,
    };

    /// <summary>A whole number of at least <paramref name="minimum"/>, with its default shown in help.</summary>
    public static Option<int> Int(string name, int fallback, string description, int minimum = 1)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => fallback };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < minimum)
            {
                result.AddError($"{name} must be at least {minimum}");
            }
        });
        return option;
    }

    /// <summary>A connection to the gateway the command line names.</summary>
    public static GatewayConnection Connect(ParseResult parse) => new(parse.GetValue(Address)!, parse.GetValue(Key));
}
