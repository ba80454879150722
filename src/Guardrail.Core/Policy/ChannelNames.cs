using Guardrail.Core.Screening;

namespace Guardrail.Core.Policy;

/// <summary>The names of channels in configuration.</summary>
public static class ChannelNames
{
    public static readonly IReadOnlyList<string> All = ["user_prompt", "document", "tool_output", "model_output"];

    public static bool TryParseList(string? list, out Channel[] channels)
    {
        if (string.IsNullOrWhiteSpace(list))
        {
            channels = Enum.GetValues<Channel>();
            return true;
        }

        var parsed = new List<Channel>();
        foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var index = All.ToList().FindIndex(n => n.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                channels = [];
                return false;
            }

            parsed.Add((Channel)index);
        }

        channels = [.. parsed.Distinct()];
        return true;
    }

    public static string Name(Channel channel) => All[(int)channel];
}
