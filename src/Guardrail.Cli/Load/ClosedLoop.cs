using System.Diagnostics;
using Grpc.Core;
using Guardrail.Contracts.Client;

namespace Guardrail.Cli.Load;

/// <summary>
/// Drives a call from <c>concurrency</c> loops for a while: each loop calls again as soon as its
/// last call ends (closed loop), or, with a target rate, at that rate shared by the loops (a loop
/// that falls behind does not burst to catch up, so an overloaded server is not hammered harder).
/// </summary>
public static class ClosedLoop
{
    /// <param name="call">Gets the call's number; a failed call throws <see cref="RpcException"/>.</param>
    /// <param name="ratePerSecond">0 for as fast as answers come.</param>
    public static async Task<CallMeasurement> RunAsync(Func<int, Task> call, int concurrency, TimeSpan duration, double ratePerSecond = 0, CancellationToken cancellationToken = default)
    {
        var result = new CallMeasurement();
        var clock = Stopwatch.StartNew();
        var interval = ratePerSecond > 0 ? TimeSpan.FromSeconds(concurrency / ratePerSecond) : TimeSpan.Zero;
        var loops = Enumerable.Range(0, concurrency).Select(async loop =>
        {
            var latencies = new List<double>();
            var errors = new List<StatusCode>();
            var next = interval * loop / concurrency;
            for (var i = loop; clock.Elapsed < duration && !cancellationToken.IsCancellationRequested; i += concurrency)
            {
                if (interval > TimeSpan.Zero)
                {
                    var wait = next - clock.Elapsed;
                    next = (wait > TimeSpan.Zero ? next : clock.Elapsed) + interval;
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, CancellationToken.None).ConfigureAwait(false);
                    }
                }

                var started = Stopwatch.GetTimestamp();
                try
                {
                    await call(i).ConfigureAwait(false);
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (RpcException e)
                {
                    errors.Add(e.StatusCode);
                }
            }

            return (latencies, errors);
        }).ToList();
        foreach (var (latencies, errors) in await Task.WhenAll(loops).ConfigureAwait(false))
        {
            result.Latencies.AddRange(latencies);
            result.Errors.AddRange(errors);
        }

        result.Seconds = clock.Elapsed.TotalSeconds;
        return result;
    }
}
