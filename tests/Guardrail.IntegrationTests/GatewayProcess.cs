using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Guardrail.IntegrationTests;

/// <summary>
/// A host of this project (gateway, detector worker) as a real process (dotnet X.dll) on 127.0.0.1
/// port 0; the gRPC and operations addresses are read from its log lines. Everything it prints is
/// kept for assertions.
/// </summary>
public abstract class ServiceProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process _process = null!;

    public Uri Address { get; private set; } = null!;

    /// <summary>/metrics, /healthz and /readyz (HTTP/1.1).</summary>
    public Uri OpsAddress { get; private set; } = null!;

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The gRPC and operations addresses, when this line announces them.</summary>
    protected abstract (Uri? Grpc, Uri? Ops) Announced(string line);

    /// <param name="environment">Variables to set (a null value removes one) for this process only.</param>
    protected async Task StartAsync(string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{Path.GetFileName(dll)} not built at {dll}; build Cluster.sln first");
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        // These processes share the test machine's cores (two in CI) with each other and Redis, each
        // getting about one core's share, as a pod with a one-CPU limit does; there .NET runs the
        // workstation collector. The server collector's per-core heaps and spinning GC threads, five
        // processes over, put 150-180 ms outliers into the isolation drill (slowest trial of three
        // runs 57, 176 and 72 ms with it; of four runs 51-67 ms without). A test may still ask for it through its environment.
        info.Environment["DOTNET_gcServer"] = "0";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info)!;
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var opsReady = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }

            var (grpc, ops) = Announced(line);
            if (grpc is not null)
            {
                ready.TrySetResult(grpc);
            }

            if (ops is not null)
            {
                opsReady.TrySetResult(ops);
            }
        }

        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) =>
        {
            var exited = new InvalidOperationException($"{Path.GetFileName(dll)} exited with {_process.ExitCode}:\n{Output}");
            ready.TrySetException(exited);
            opsReady.TrySetException(exited);
        };
        try
        {
            Address = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
            OpsAddress = await opsReady.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends SIGTERM (a graceful stop, as Kubernetes does) and waits for the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        await TerminateAsync();
        return await ExitCodeAsync(timeout);
    }

    /// <summary>Sends SIGTERM without waiting for the process to stop.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
    }

    public async Task<int> ExitCodeAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no chance to flush anything.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Resident memory of the process now, in bytes.</summary>
    public long ResidentBytes()
    {
        _process.Refresh();
        return _process.WorkingSet64;
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_process is not null && !_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The gateway as a real process, with its audit log in a fresh temporary folder (removed on dispose).</summary>
public sealed partial class GatewayProcess : ServiceProcess
{
    /// <summary>Where the JSONL audit sink writes (Guardrail:Audit:Directory), unless a setting overrides it.</summary>
    public string AuditDirectory { get; private init; } = null!;

    public static Task<GatewayProcess> StartAsync(params string[] settings) => StartWithEnvironmentAsync(null, settings);

    /// <param name="environment">Variables to set (null removes one) in the gateway's environment.</param>
    public static async Task<GatewayProcess> StartWithEnvironmentAsync(IReadOnlyDictionary<string, string?>? environment, params string[] settings)
    {
        var gateway = new GatewayProcess { AuditDirectory = Path.Combine(Path.GetTempPath(), "guardrail-audit-" + Guid.NewGuid().ToString("N")) };
        // A short drain keeps each test's SIGTERM quick; DrainTests runs the default.
        await gateway.StartAsync(RepoPaths.GatewayDll, ["--Guardrail:Gateway:Listen=127.0.0.1:0", "--Guardrail:Gateway:OpsListen=127.0.0.1:0", "--Guardrail:Gateway:HttpListen=127.0.0.1:0",
            $"--Guardrail:Audit:Directory={gateway.AuditDirectory}", "--Guardrail:Rpc:DrainMs=100", .. settings], environment);
        return gateway;
    }

    /// <summary>HTTP/JSON (JSON transcoding, OpenAPI), once the gateway has announced it.</summary>
    public Uri? HttpAddress { get; private set; }

    protected override (Uri? Grpc, Uri? Ops) Announced(string line)
    {
        if (HttpLine().Match(line) is { Success: true } h)
        {
            HttpAddress = new Uri(h.Groups[1].Value);
        }

        return (ListeningLine().Match(line) is { Success: true } m ? new Uri(m.Groups[1].Value) : null,
            OpsLine().Match(line) is { Success: true } o ? new Uri(o.Groups[1].Value) : null);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(AuditDirectory))
        {
            Directory.Delete(AuditDirectory, recursive: true);
        }
    }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"Operations endpoints on (http://\S+):")]
    private static partial Regex OpsLine();

    [GeneratedRegex(@"HTTP/JSON on (http://\S+):")]
    private static partial Regex HttpLine();
}

/// <summary>A detector worker as a real process.</summary>
public sealed partial class WorkerProcess : ServiceProcess
{
    public static Task<WorkerProcess> StartAsync(params string[] settings) => StartWithEnvironmentAsync(null, settings);

    public static async Task<WorkerProcess> StartWithEnvironmentAsync(IReadOnlyDictionary<string, string?>? environment, params string[] settings)
    {
        var worker = new WorkerProcess();
        await worker.StartAsync(RepoPaths.WorkerDll, ["--Guardrail:Worker:Listen=127.0.0.1:0", "--Guardrail:Worker:OpsListen=127.0.0.1:0", "--Guardrail:Rpc:DrainMs=100", .. settings], environment);
        return worker;
    }

    protected override (Uri? Grpc, Uri? Ops) Announced(string line)
        => ServingLine().Match(line) is { Success: true } m ? (new Uri(m.Groups[1].Value), new Uri(m.Groups[2].Value)) : (null, null);

    [GeneratedRegex(@"serving on (http://\S+) \(h2c\), operations on (http://\S+)")]
    private static partial Regex ServingLine();
}

/// <summary>One gateway shared by the tests of a class.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public GatewayProcess Gateway { get; private set; } = null!;

    public async Task InitializeAsync() => Gateway = await GatewayProcess.StartAsync();

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

/// <summary>One gateway with reversible anonymisation on (an audit key in a temporary folder),
/// shared by the tests of a class.</summary>
public sealed class AnonymizingGatewayFixture : IAsyncLifetime
{
    private readonly string _keys = Directory.CreateTempSubdirectory("guardrail-keys-").FullName;

    public GatewayProcess Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Guardrail.Audit.Sealing.AuditKeyRing.Generate(_keys, "k1");
        Gateway = await GatewayProcess.StartAsync("--Guardrail:Policy:Anonymize=true", $"--Guardrail:Audit:KeyDirectory={_keys}");
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }
}
