using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Guardrail.IntegrationTests;

/// <summary>
/// The gateway as a real process (dotnet Guardrail.Gateway.dll) on 127.0.0.1 port 0. The address
/// is read from its "listening on" log line. Everything it prints is kept for assertions.
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayProcess(Process process) => _process = process;

    public Uri Address { get; private set; } = null!;

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
        info.ArgumentList.Add("--Guardrail:Gateway:Listen=127.0.0.1:0");
        foreach (var setting in settings)
        {
            info.ArgumentList.Add(setting);
        }

        var gateway = new GatewayProcess(Process.Start(info)!);
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
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
        }

        gateway._process.OutputDataReceived += (_, e) => OnLine(e.Data);
        gateway._process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        gateway._process.BeginOutputReadLine();
        gateway._process.BeginErrorReadLine();
        gateway._process.EnableRaisingEvents = true;
        gateway._process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"gateway exited with {gateway._process.ExitCode}:\n{gateway.Output}"));
        try
        {
            gateway.Address = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }

        return gateway;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex ListeningLine();
}

/// <summary>One gateway shared by the tests of a class.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public GatewayProcess Gateway { get; private set; } = null!;

    public async Task InitializeAsync() => Gateway = await GatewayProcess.StartAsync();

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}
