using System.CommandLine;
using System.Globalization;
using Guardrail.Cli.Load;
using Guardrail.Contracts.V1;

namespace Guardrail.Cli.Commands;

/// <summary>
/// guardrailctl bench: closed-loop load of Screen and of Echo (same transport, same text, no
/// screening), interleaved in rounds in one run, so the ratio between them is the screening cost
/// on this machine at this moment, whatever the machine's noise. With --compare ADDRESS, Screen on
/// a second gateway (e.g. one on the Redis state store) joins the same rounds, and with --redis
/// HOST:PORT the Redis commands each of its calls cost are counted from INFO commandstats.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var duration = CliOptions.Int("--duration-s", 5, "seconds per method per round");
        var concurrency = CliOptions.Int("--concurrency", 16, "calls in flight");
        var chars = CliOptions.Int("--chars", 1000, "prompt length", minimum: 10);
        var rounds = CliOptions.Int("--rounds", 2, "interleaved rounds (Echo, Screen, compare, Echo, ...)");
        var targets = new Option<string[]>("--target") { Description = "another gateway; Echo and Screen calls take them in turn (repeatable)" };
        var compare = new Option<string?>("--compare") { Description = "Screen on a second gateway in the same rounds (e.g. one on Redis)" };
        var redis = new Option<string?>("--redis") { Description = "count the --compare gateway's Redis commands per call (HOST:PORT)" };
        var command = new Command("bench", "Screen throughput and latency next to the Echo baseline (same transport, no screening), interleaved in one run") { duration, concurrency, chars, rounds, targets, compare, redis };
        command.SetAction(async (parse, _) =>
        {
            using var client = CliOptions.Connect(parse);
            return await TerminalProgress.RunAsync("bench", quiet: false, progress => RunAsync(client, parse.GetValue(CliOptions.Key), TimeSpan.FromSeconds(parse.GetValue(duration)), parse.GetValue(concurrency),
                parse.GetValue(chars), parse.GetValue(rounds), parse.GetValue(targets) ?? [], parse.GetValue(compare), parse.GetValue(redis), progress));
        });
        return command;
    }

    private static async Task<int> RunAsync(
        GatewayConnection client, string? apiKey, TimeSpan duration, int concurrency, int chars, int rounds, string[] targetAddresses, string? compare, string? redisEndpoint, Action<string> progress)
    {
        var texts = PromptMix.Texts(chars);

        // --target: more gateways; Echo and Screen calls take them in turn (a cluster behind one balancer).
        var targets = targetAddresses.Select(t => new GatewayConnection(t, apiKey)).ToList();
        using var disposeTargets = new Disposables(targets);
        var gateways = new[] { client }.Concat(targets).ToArray();
        static DateTime Deadline() => GatewayConnection.In(TimeSpan.FromSeconds(10));
        Task Echo(int i) => gateways[i % gateways.Length].Diagnostics.EchoAsync(new EchoRequest { Text = texts[i % texts.Length] }, deadline: Deadline()).ResponseAsync;
        Func<int, Task> ScreenOn(params GatewayConnection[] through) => i => through[i % through.Length].Screen.ScreenAsync(new ScreenRequest { Text = texts[i % texts.Length], SessionId = "bench" }, deadline: Deadline()).ResponseAsync;
        var screenCall = ScreenOn(gateways);
        using var compareClient = compare is null ? null : new GatewayConnection(compare, null);
        var compareCall = compareClient is null ? screenCall : ScreenOn(compareClient);
        using var redis = redisEndpoint is null ? null : RedisCommandCounter.Connect(redisEndpoint);

        Console.WriteLine($"Screen vs Echo: {concurrency} concurrent calls over {gateways.Length} gateway(s), {chars}-character texts ({texts.Length} kinds), {rounds} rounds of {duration.TotalSeconds:0} s each");
        await ClosedLoop.RunAsync(Echo, concurrency, TimeSpan.FromSeconds(1)); // warm-up: connections, JIT
        await ClosedLoop.RunAsync(screenCall, concurrency, TimeSpan.FromSeconds(1));
        if (compareClient is not null)
        {
            await ClosedLoop.RunAsync(compareCall, concurrency, TimeSpan.FromSeconds(1));
        }

        var echo = new CallMeasurement();
        var screen = new CallMeasurement();
        var compared = new CallMeasurement();
        var redisCommands = new Dictionary<string, long>();
        for (var round = 0; round < rounds; round++)
        {
            progress($"round {round + 1} of {rounds}: echo");
            echo.Add(await ClosedLoop.RunAsync(Echo, concurrency, duration));
            progress($"round {round + 1} of {rounds}: screen");
            screen.Add(await ClosedLoop.RunAsync(screenCall, concurrency, duration));
            if (compareClient is not null)
            {
                var before = redis?.ClientCommands();
                compared.Add(await ClosedLoop.RunAsync(compareCall, concurrency, duration));
                foreach (var (command, calls) in redis?.ClientCommands() ?? [])
                {
                    redisCommands[command] = redisCommands.GetValueOrDefault(command) + calls - before!.GetValueOrDefault(command);
                }
            }
        }

        var rows = new List<string[]> { echo.Row("echo"), screen.Row("screen") };
        if (compareClient is not null)
        {
            rows.Add(compared.Row("screen --compare"));
        }

        Table.Print(["METHOD", "CALLS", "CALLS/S", "P50 MS", "P90 MS", "P99 MS", "MAX MS", "ERRORS"], rows);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"screen/echo: throughput {screen.Rate / echo.Rate:0.00}x, p50 latency {screen.Percentile(0.5) / echo.Percentile(0.5):0.00}x, p99 latency {screen.Percentile(0.99) / echo.Percentile(0.99):0.00}x"));
        if (compareClient is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"compare/screen: throughput {compared.Rate / screen.Rate:0.00}x, p50 latency {compared.Percentile(0.5) / screen.Percentile(0.5):0.00}x; compare/echo throughput {compared.Rate / echo.Rate:0.00}x"));
        }

        if (redis is not null && compared.Latencies.Count + compared.Errors.Count > 0)
        {
            var calls = (double)(compared.Latencies.Count + compared.Errors.Count);
            Console.WriteLine("Redis commands from clients per compared Screen call (INFO commandstats; script-internal calls and housekeeping left out): "
                + string.Join(", ", redisCommands.Where(c => c.Value > 0).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value / calls:0.000}")))
                + string.Create(CultureInfo.InvariantCulture, $"; round trips per call: {redisCommands.Values.Sum() / calls:0.000}"));
        }

        return echo.Errors.Count + screen.Errors.Count + compared.Errors.Count == 0 ? 0 : 1;
    }

    private sealed class Disposables(IEnumerable<IDisposable> items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }
}
