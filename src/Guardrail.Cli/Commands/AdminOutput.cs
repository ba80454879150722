using System.Globalization;
using Google.Protobuf;
using Guardrail.Audit.Records;

namespace Guardrail.Cli.Commands;

/// <summary>How the admin commands print: a table for people, or the message as proto3 JSON (--json).</summary>
public static class AdminOutput
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static void PrintJson(IMessage message) => Console.WriteLine(Json.Format(message));

    /// <summary>Unix ms as UTC time, "-" for 0.</summary>
    public static string Time(ulong unixMs)
        => unixMs == 0 ? "-" : DateTimeOffset.FromUnixTimeMilliseconds((long)unixMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>An enum's wire name without its prefix, lower case: MODEL_STATUS_ISOLATED → isolated.</summary>
    public static string Name<T>(T value) where T : struct, Enum => ScreenAuditRecords.WireName(value).ToLowerInvariant();

    /// <summary>"30d", "12h", "15m", "90s" or a number of seconds.</summary>
    public static ulong Seconds(string value)
    {
        var unit = value[^1];
        var number = char.IsDigit(unit) ? value : value[..^1];
        if (!ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            throw new UsageException($"'{value}' is not a duration like 30d, 12h, 15m or 90s");
        }

        return unit switch
        {
            'd' => n * 86400,
            'h' => n * 3600,
            'm' => n * 60,
            's' or >= '0' and <= '9' => n,
            _ => throw new UsageException($"'{value}' is not a duration like 30d, 12h, 15m or 90s"),
        };
    }

    /// <summary>The deadline of one admin call.</summary>
    public static DateTime Deadline() => GatewayConnection.In(TimeSpan.FromSeconds(10));
}
