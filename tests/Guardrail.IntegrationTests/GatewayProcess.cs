using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Guardrail.IntegrationTests;

/// <summary>
/// The gateway as a real process (dotnet Guardrail.Gateway.dll) on 127.0.0.1 port 0, gRPC and
/// operations endpoints both, with its audit log in a fresh temporary folder (removed on dispose).
/// The addresses are read from its log lines. Everything it prints is kept for assertions.
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayProcess(Process process) => _process = process;

    public Uri Address { get; private set; } = null!;

    /// <summary>/metrics, /healthz and /readyz (HTTP/1.1).</summary>
    public Uri OpsAddress { get; private set; } = null!;

    /// <summary>Where the JSONL audit sink writes (Guardrail:Audit:Directory), unless a setting overrides it.</summary>
    public string AuditDirectory { get; private set; } = null!;

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

    public static async Task<GatewayProcess> StartAsync(params string[] settings)
    {
        if (!File.Exists(RepoPaths.GatewayDll))
        {
            throw new InvalidOperationException($"gateway not built at {RepoPaths.GatewayDll}; build Cluster.sln first");
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(RepoPaths.GatewayDll);
        var auditDirectory = Path.Combine(Path.GetTempPath(), "guardrail-audit-" + Guid.NewGuid().ToString("N"));
        info.ArgumentList.Add("--Guardrail:Gateway:Listen=127.0.0.1:0");
        info.ArgumentList.Add("--Guardrail:Gateway:OpsListen=127.0.0.1:0");
        info.ArgumentList.Add($"--Guardrail:Audit:Directory={auditDirectory}");
        foreach (var setting in settings)
        {
            info.ArgumentList.Add(setting);
        }

        var gateway = new GatewayProcess(Process.Start(info)!) { AuditDirectory = auditDirectory };
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var opsReady = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (gateway._output)
            {
                gateway._output.AppendLine(line);
            }

            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                ready.TrySetResult(new Uri(match.Groups[1].Value));
            }

            var ops = OpsLine().Match(line);
            if (ops.Success)
            {
                opsReady.TrySetResult(new Uri(ops.Groups[1].Value));
            }
        }

        gateway._process.OutputDataReceived += (_, e) => OnLine(e.Data);
        gateway._process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        gateway._process.BeginOutputReadLine();
        gateway._process.BeginErrorReadLine();
        gateway._process.EnableRaisingEvents = true;
        gateway._process.Exited += (_, _) =>
        {
            var exited = new InvalidOperationException($"gateway exited with {gateway._process.ExitCode}:\n{gateway.Output}");
            ready.TrySetException(exited);
            opsReady.TrySetException(exited);
        };
        try
        {
            gateway.Address = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
            gateway.OpsAddress = await opsReady.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }

        return gateway;
    }

    /// <summary>Sends SIGTERM (a graceful stop, as Kubernetes does) and waits for the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no chance to flush anything.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (Directory.Exists(AuditDirectory))
        {
            Directory.Delete(AuditDirectory, recursive: true);
        }
    }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"Operations endpoints on (http://\S+):")]
    private static partial Regex OpsLine();
}

/// <summary>One gateway shared by the tests of a class.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public GatewayProcess Gateway { get; private set; } = null!;

    public async Task InitializeAsync() => Gateway = await GatewayProcess.StartAsync();

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}
