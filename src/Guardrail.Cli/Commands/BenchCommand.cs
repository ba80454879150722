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
    public static async Task<int> RunAsync(GatewayConnection client, string? apiKey, CommandArgs args)
    {
        args.OnlyAllow("duration-s", "concurrency", "chars", "rounds", "compare", "redis", "target");
        var duration = TimeSpan.FromSeconds(Math.Max(1, args.Int("duration-s", 5)));
        var concurrency = Math.Max(1, args.Int("concurrency", 16));
        var chars = Math.Max(10, args.Int("chars", 1000));
        var rounds = Math.Max(1, args.Int("rounds", 2));
        var texts = PromptMix.Texts(chars);

        // --target: more gateways; Echo and Screen calls take them in turn (a cluster behind one balancer).
        var targets = args.Values("target").Select(t => new GatewayConnection(t, apiKey)).ToList();
        using var disposeTargets = new Disposables(targets);
        var gateways = new[] { client }.Concat(targets).ToArray();
        static DateTime Deadline() => GatewayConnection.In(TimeSpan.FromSeconds(10));
        Task Echo(int i) => gateways[i % gateways.Length].Diagnostics.EchoAsync(new EchoRequest { Text = texts[i % texts.Length] }, deadline: Deadline()).ResponseAsync;
        Func<int, Task> ScreenOn(params GatewayConnection[] through) => i => through[i % through.Length].Screen.ScreenAsync(new ScreenRequest { Text = texts[i % texts.Length], SessionId = "bench" }, deadline: Deadline()).ResponseAsync;
        var screenCall = ScreenOn(gateways);
        using var compareClient = args.Value("compare") is { } compare ? new GatewayConnection(compare, null) : null;
        var compareCall = compareClient is null ? screenCall : ScreenOn(compareClient);
        using var redis = args.Value("redis") is { } endpoint ? RedisCommandCounter.Connect(endpoint) : null;

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
            echo.Add(await ClosedLoop.RunAsync(Echo, concurrency, duration));
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
