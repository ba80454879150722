using Guardrail.Cli;
using Guardrail.Cli.Commands;
using Grpc.Core;
using Guardrail.Contracts.Client;

const string Usage = """
    guardrailctl - talk to a Guardrail gateway

    usage: guardrailctl [--address HOST:PORT] [--key API_KEY] COMMAND [options]

    commands:
      screen [TEXT] [--file PATH] [--doc PATH]... [--channel user_prompt|document|tool_output|model_output]
             [--session ID] [--model ID] [--canary TOKEN]... [--timeout-ms N] [--json]
                  screen TEXT (or the file's content) with the documents, print the verdict
      health [--service NAME]
                  check the gateway's gRPC health
      bench  [--duration-s 5] [--concurrency 16] [--chars 1000] [--rounds 2] [--target ADDRESS]... [--compare ADDRESS] [--redis HOST:PORT]
                  Screen throughput and latency next to the Echo baseline, in one run (over the
                  gateway and each --target in turn); --compare adds
                  Screen on a second gateway, --redis counts its Redis commands per call
      load   [--scenario smoke|load|spike|soak|tenant-quota|isolation-drill] [--duration-s N] [--concurrency N]
             [--rps N] [--mix benign=4,injection=2,pii=1,smuggling=1] [--chars 1000] [--target ADDRESS]...
             [--tenant-key KEY]... [--quiet-rps 5] [--spike-factor 5] [--report-s 60] [--model ID]
             [--other-model ID] [--fallback ID] [--grace-ms 2000] [--timeout-ms 5000] [--session S] [--json]
                  Screen load from the prompt mix (loadtests/prompts.json), the k6 scenarios' core:
                  closed loop or --rps calls/s, over the gateway and each --target, rotating tenant
                  keys; per phase p50/p90/p99/max, calls/s, errors by status, verdicts, and checks
                  (each verdict as the mix expects; THROTTLE only for the flooding tenant; BLOCK
                  naming the isolation only for the drilled model); exit 1 on an error or failed check
      bench-detect --worker ADDRESS [--worker ADDRESS]... [--chars 200] [--chars 2000] [--duration-s 3] [--concurrency 64] [--rounds 2]
                  Detect throughput (texts/s) and latency of detector workers, the first worker the
                  baseline the others are compared with (e.g. max batch 1 vs 64)
      train  [--data-dir ../shared/data/train] [--out models] [--version 2.0.0] [--model all|injection|suffix]
                  train the ML detectors, write .onnx and model cards, evaluate on held-out files
      bench-models [--chars 1000] [--seconds 3] [--models DIR] [--data FILE.jsonl]
                  each ML model's items/s and us per item at batch 1 and batch 64 (CPU), on the
                  load-test prompts or a JSONL file's texts cut to --chars; against the 100 us target
      eval   --data FILE.jsonl [--data ...] [--model injection|suffix] [--models DIR] [--lookalike FILE] [--errors N]
                  AUC, TPR at 1% and 0.1% FPR per source and overall, look-alike FPR, items/s

      models list [--kind detector|target] | isolate | restore | shadow
             (--detector MODEL@VERSION | --target MODEL_ID) [--reason TEXT] [--fallback ID] [--json]
                  the model registry: isolate takes a model out of use on every gateway and worker
                  (--reason required), restore returns it, shadow scores without enforcing
      tenants list | create TENANT [--file POLICY.json] | get [TENANT] | set-policy [TENANT]
             [--set CATEGORY.FIELD=VALUE]... [--file POLICY.json] [--json]
                  tenants, their policy, quota and anomaly state (FIELD: flag_at, block_at, redact,
                  fail_closed, channels; or state_fail_closed=, canary_tokens=, version=)
      keys   create [--tenant T] [--name N] [--scope screen|admin]... [--expires-in 30d] | list [--tenant T]
             | revoke KEY_ID [--tenant T] | generate   [--json]
                  tenant API keys (the secret is printed once); generate makes an operator key
                  locally and prints the hash the gateway is configured with
      sessions get SESSION | reset SESSION [--tenant T] [--json]
                  a conversation's risk and lock, and clearing them

      audit  tail [--lines 20] [--follow] | search | decrypt --keys DIR | keygen --keys DIR --id ID
             [--dir audit | --redis HOST:PORT] [--environment E] [--tenant T] [--session S] [--verdict V]
             [--model ID] [--request ID] [--since 15m|ISO-TIME] [--until ...] [--json]
                  read the audit log (JSONL folder or Redis Streams); decrypt shows retained text
                  sealed under the keys in DIR; exit 3 when a record is damaged or fails authentication

    The address defaults to $GUARDRAIL_ADDRESS, else 127.0.0.1:50051; the API key to $GUARDRAIL_API_KEY
    (sent as "authorization: Bearer KEY"; not needed when the gateway runs without keys).
    Exit status: 0 on an answer, 1 on a gRPC error, 64 on a usage error.
    """;

var rest = args.ToList();
var address = Environment.GetEnvironmentVariable("GUARDRAIL_ADDRESS") is { Length: > 0 } env ? env : "127.0.0.1:50051";
var at = rest.IndexOf("--address");
if (at >= 0 && at + 1 < rest.Count)
{
    address = rest[at + 1];
    rest.RemoveRange(at, 2);
}

var apiKey = Environment.GetEnvironmentVariable("GUARDRAIL_API_KEY");
var keyAt = rest.IndexOf("--key");
if (keyAt >= 0 && keyAt + 1 < rest.Count)
{
    apiKey = rest[keyAt + 1];
    rest.RemoveRange(keyAt, 2);
}

if (rest.Count == 0 || rest[0] is "help" or "--help" or "-h")
{
    Console.WriteLine(Usage);
    return rest.Count == 0 ? 64 : 0;
}

try
{
    using var client = new GatewayConnection(address, apiKey);
    var commandArgs = rest.Skip(1);
    return rest[0] switch
    {
        "screen" => await ScreenCommand.RunAsync(client, new CommandArgs(commandArgs, ScreenCommand.Flags)),
        "health" => await HealthCommand.RunAsync(client, new CommandArgs(commandArgs, new HashSet<string>())),
        "bench" => await BenchCommand.RunAsync(client, apiKey, new CommandArgs(commandArgs, new HashSet<string>())),
        "load" => await LoadCommand.RunAsync(client, address, apiKey, new CommandArgs(commandArgs, LoadCommand.Flags)),
        "bench-detect" => await BenchDetectCommand.RunAsync(new CommandArgs(commandArgs, new HashSet<string>())),
        "train" => TrainCommand.Run(new CommandArgs(commandArgs, new HashSet<string>())),
        "eval" => EvalCommand.Run(new CommandArgs(commandArgs, new HashSet<string>())),
        "audit" => await AuditCommand.RunAsync(new CommandArgs(commandArgs, AuditCommand.Flags)),
        "models" => await ModelsCommand.RunAsync(client, new CommandArgs(commandArgs, ModelsCommand.Flags)),
        "tenants" => await TenantsCommand.RunAsync(client, new CommandArgs(commandArgs, TenantsCommand.Flags)),
        "keys" => await KeysCommand.RunAsync(client, new CommandArgs(commandArgs, KeysCommand.Flags)),
        "sessions" => await SessionsCommand.RunAsync(client, new CommandArgs(commandArgs, SessionsCommand.Flags)),
        "bench-models" => BenchModelsCommand.Run(new CommandArgs(commandArgs, new HashSet<string>())),
        _ => throw new UsageException($"unknown command '{rest[0]}'"),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine($"guardrailctl: {e.Message}");
    Console.Error.WriteLine("run 'guardrailctl help' for usage");
    return 64;
}
catch (Guardrail.Audit.Sealing.AuditKeyException e)
{
    Console.Error.WriteLine($"guardrailctl: {e.Message}");
    return 3;
}
catch (RpcException e)
{
    Console.Error.WriteLine($"guardrailctl: {e.StatusCode.Canonical()}: {e.Status.Detail}");
    return 1;
}
