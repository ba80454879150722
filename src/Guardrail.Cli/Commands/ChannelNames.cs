using System.CommandLine;
using Guardrail.Core.Screening;

namespace Guardrail.Cli.Commands;

/// <summary>The names guardrailctl takes for a channel, one list for every command that has a --channel
/// option: the wire names (user_prompt, tool_output, model_output) and their short forms.</summary>
internal static class ChannelNames
{
    private static readonly (string Name, Channel Channel)[] Names =
    [
        ("user_prompt", Channel.UserPrompt), ("prompt", Channel.UserPrompt), ("user", Channel.UserPrompt),
        ("document", Channel.Document),
        ("tool_output", Channel.ToolOutput), ("tool", Channel.ToolOutput),
        ("model_output", Channel.ModelOutput), ("output", Channel.ModelOutput),
    ];

    /// <summary>A --channel option that accepts only the names above (System.CommandLine rejects the rest
    /// with the list of valid ones).</summary>
    public static Option<string> Option(string description)
    {
        var option = new Option<string>("--channel") { Description = description + " (user_prompt, document, tool_output or model_output; short: prompt, tool, output)", DefaultValueFactory = _ => "user_prompt" };
        option.AcceptOnlyFromAmong(Names.Select(n => n.Name).ToArray());
        return option;
    }

    public static Channel Parse(string name) =>
        Array.Find(Names, n => n.Name == name) is { Name: not null } found ? found.Channel : throw new UsageException($"--channel {name}: give user_prompt, document, tool_output or model_output");

    /// <summary>The same channel as the Screen API's enum, for requests sent over gRPC.</summary>
    public static Contracts.V1.Channel Wire(Channel channel) => channel switch
    {
        Channel.Document => Contracts.V1.Channel.Document,
        Channel.ToolOutput => Contracts.V1.Channel.ToolOutput,
        Channel.ModelOutput => Contracts.V1.Channel.ModelOutput,
        _ => Contracts.V1.Channel.UserPrompt,
    };
}
