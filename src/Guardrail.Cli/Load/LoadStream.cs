using System.Collections.Concurrent;
using System.Diagnostics;
using Guardrail.Audit.Records;
using Guardrail.Contracts.V1;
using Grpc.Core;
using Guardrail.Contracts.Client;

namespace Guardrail.Cli.Load;

/// <summary>
/// One kind of traffic in a phase (a tenant, a target model): Screen calls from the prompt mix
/// through its clients (one per gateway, taken in turn), at a rate or closed loop, every answer
/// checked by <see cref="Check"/>. Yields one table row per phase.
/// </summary>
public sealed class LoadStream
{
    private long _calls;

    public required string Label { get; init; }

    public required IReadOnlyList<GatewayConnection> Clients { get; init; }

    public required PromptMix Mix { get; init; }

    public required int Concurrency { get; init; }

    public double Rate { get; init; }

    public string ModelId { get; init; } = string.Empty;

    public required string Session { get; init; }

    /// <summary>Each call's deadline, from its start.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>Judges an answer: the prompt, the answer, and how long after the phase began the call started.</summary>
    public required Action<PromptMix.Prompt, ScreenResponse, TimeSpan> Check { get; init; }

    /// <summary>Half a second of the same traffic, neither counted nor checked: connections and JIT.</summary>
    public Task WarmUpAsync() => RunAsync("warm-up", TimeSpan.FromSeconds(0.5), Rate, checkAnswers: false);

    public async Task<LoadRow> RunAsync(string phase, TimeSpan duration, double rate, bool checkAnswers = true, CancellationToken cancellationToken = default)
    {
        var row = new LoadRow(phase, Label);
        var clock = Stopwatch.StartNew();
        row.Measurement.Add(await ClosedLoop.RunAsync(async _ =>
        {
            var n = Interlocked.Increment(ref _calls) - 1;
            var prompt = Mix.At(n);
            var started = clock.Elapsed;
            // A session per call: every call still reads and writes session state, but the verdicts
            // stay those of the prompts (in one shared session the attack prompts' scores add up
            // to session risk, and later benign prompts would turn FLAG).
            var request = new ScreenRequest { Text = prompt.Text, SessionId = $"{Session}-{n}", ModelId = ModelId };
            var response = await Clients[(int)(n % Clients.Count)].Screen.ScreenAsync(request, deadline: GatewayConnection.In(Timeout)).ConfigureAwait(false);
            row.Count(response);
            if (checkAnswers)
            {
                Check(prompt, response, started);
            }
        }, Concurrency, duration, rate, cancellationToken).ConfigureAwait(false));
        return row;
    }
}

/// <summary>What one stream did in one phase: latencies, errors by status, verdicts, detectors that did
/// not run (by their wire names, as the audit log and `guardrailctl screen` write them: SKIPPED_ISOLATED).</summary>
public sealed class LoadRow(string phase, string label)
{
    public string Phase { get; } = phase;

    public string Label { get; } = label;

    public CallMeasurement Measurement { get; } = new();

    public ConcurrentDictionary<string, int> Verdicts { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, int> NotRun { get; } = new(StringComparer.Ordinal);

    public void Count(ScreenResponse response)
    {
        Verdicts.AddOrUpdate(ScreenAuditRecords.WireName(response.Verdict), 1, (_, n) => n + 1);
        foreach (var run in response.Detectors.Where(d => d.Status is DetectorStatus.Failed or DetectorStatus.TimedOut or DetectorStatus.SkippedIsolated))
        {
            NotRun.AddOrUpdate($"{run.Detector}:{ScreenAuditRecords.WireName(run.Status)}", 1, (_, n) => n + 1);
        }
    }
}
