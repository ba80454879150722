using System.Globalization;
using Guardrail.Core.Policy;
using Guardrail.Core.Screening;
using Guardrail.Detection.Detectors;
using Guardrail.Detection.Training;
using Guardrail.Onnx;

namespace Guardrail.Cli.Commands;

/// <summary>guardrailctl eval --gateway: labelled texts screened by the detectors an embedded gateway
/// runs by default (the shipped models, the cascade, the default shadow set and tenant policy), in
/// this process, each row a request of its own; prints the share of each verdict per file and label.</summary>
internal static class GatewayEval
{
    public static int Run(IReadOnlyList<LabeledText> rows, string modelDirectory, Channel channel, int concurrency)
    {
        var detection = new DetectionOptions { ModelDirectory = modelDirectory };
        var loaded = MlDetectors.Load(detection, new OnnxRuntimeOptions());
        var unavailable = loaded.Models.Where(m => m.Detector.UnavailableReason is not null).Select(m => $"{m.Detector.Name}: {m.Detector.UnavailableReason}").ToList();
        if (unavailable.Count > 0)
        {
            throw new UsageException("the gateway's ML detectors must all run for this evaluation: " + string.Join("; ", unavailable));
        }

        var scorer = new LocalTextScorer(loaded.Models, new BatchingOptions());
        try
        {
            var pipeline = new ScreeningPipeline(ScreeningPipeline.CheapDetectors(), detection.ShadowSet, scorer, detection.Cascades);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var report = TerminalProgress.Run("eval --gateway", quiet: false, progress =>
                GatewayEvaluation.RunAsync(rows, pipeline, TenantPolicy.From(new PolicyOptions()), channel, concurrency, done => progress($"{done} of {rows.Count} texts screened")).GetAwaiter().GetResult());
            var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            static string P(double v) => (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
            Console.WriteLine($"the default gateway's verdicts on {rows.Count} texts as {Wire(channel)} ({string.Join(", ", loaded.Notes)})");
            Table.Print(
                ["FILE", "ROWS", "N", "FLAG OR BLOCK", "FLAG", "BLOCK", "REDACT", "DETECTORS WITH FINDINGS (rows not allowed)"],
                report.Select(r => new[]
                {
                    r.File, r.Label == 1 ? "attacks" : "benign", r.Rows.ToString(CultureInfo.InvariantCulture),
                    P(r.FlaggedOrBlocked), P(r.Flagged), P(r.Blocked), P(r.Redacted),
                    string.Join(", ", r.Detectors.Take(4).Select(d => $"{d.Detector} {d.Rows}")),
                }));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows.Count / seconds:0} texts/s, {concurrency} in flight"));
            return 0;
        }
        finally
        {
            scorer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static string Wire(Channel channel) => channel switch
    {
        Channel.Document => "documents of otherwise empty requests",
        Channel.ToolOutput => "tool outputs",
        Channel.ModelOutput => "model outputs",
        _ => "user prompts",
    };
}
