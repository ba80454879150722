using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Guardrail.Tests.Shared;

/// <summary>
/// A real redis-server on 127.0.0.1 (Debian's package; scripts/test.sh installs it), in a
/// temporary directory, without persistence unless asked (an append-only file synced on every
/// write, as a production Redis holding cluster membership runs). Can be killed (SIGKILL) and
/// started again on the same port, for outage tests. Optionally a Redis Cluster node.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    public const string ServerBinary = "/usr/bin/redis-server";
    public const string CliBinary = "/usr/bin/redis-cli";
    private readonly string _directory;
    private readonly bool _clusterNode;
    private readonly bool _persistent;
    private Process? _process;

    private RedisServer(int port, string directory, bool clusterNode, bool persistent)
    {
        Port = port;
        _directory = directory;
        _clusterNode = clusterNode;
        _persistent = persistent;
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(bool clusterNode = false, bool persistent = false)
    {
        if (!File.Exists(ServerBinary))
        {
            throw new InvalidOperationException($"{ServerBinary} is missing: run scripts/test.sh, which installs Debian's redis-server");
        }

        var directory = Directory.CreateTempSubdirectory("guardrail-redis-").FullName;
        var server = new RedisServer(FreePort(), directory, clusterNode, persistent);
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts the server (again) on its port and waits until it answers PING.</summary>
    public async Task RestartAsync()
    {
        var info = new ProcessStartInfo(ServerBinary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _directory };
        foreach (var arg in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", _persistent ? "yes" : "no", "--appendfsync", "always", "--dir", _directory, "--protected-mode", "no" })
        {
            info.ArgumentList.Add(arg);
        }

        if (_clusterNode)
        {
            foreach (var arg in new[] { "--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{Port}.conf", "--cluster-node-timeout", "2000" })
            {
                info.ArgumentList.Add(arg);
            }
        }

        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while ((await CliAsync("PING")).Trim() != "PONG")
        {
            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException($"redis-server on port {Port} did not start");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL: no shutdown, no goodbye to clients.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    /// <summary>SIGSTOP (true) or SIGCONT (false): a server that holds its connections and answers nothing, as a hung one does.</summary>
    public void Pause(bool paused)
    {
        using var signal = Process.Start("kill", [paused ? "-STOP" : "-CONT", _process!.Id.ToString()]);
        signal.WaitForExit();
    }

    /// <summary>Runs redis-cli against this server and returns what it printed.</summary>
    public async Task<string> CliAsync(params string[] args)
    {
        var info = new ProcessStartInfo(CliBinary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-h", "127.0.0.1", "-p", Port.ToString() }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        using var cli = Process.Start(info)!;
        var output = await cli.StandardOutput.ReadToEndAsync();
        await cli.WaitForExitAsync();
        return output;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open: the temp directory is cleaned by the OS
        }

        return ValueTask.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A real three-master Redis Cluster on loopback, made by redis-cli --cluster create.</summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private RedisCluster(IReadOnlyList<RedisServer> nodes) => Nodes = nodes;

    public IReadOnlyList<RedisServer> Nodes { get; }

    /// <summary>All three nodes, as a StackExchange.Redis configuration string.</summary>
    public string Configuration => string.Join(",", Nodes.Select(n => n.Endpoint));

    public static async Task<RedisCluster> StartAsync()
    {
        var nodes = new List<RedisServer>();
        for (var i = 0; i < 3; i++)
        {
            nodes.Add(await RedisServer.StartAsync(clusterNode: true));
        }

        var cluster = new RedisCluster(nodes);
        var create = await nodes[0].CliAsync(["--cluster", "create", .. nodes.Select(n => n.Endpoint), "--cluster-replicas", "0", "--cluster-yes"]);
        var deadline = Stopwatch.StartNew();
        foreach (var node in nodes)
        {
            while (!(await node.CliAsync("CLUSTER", "INFO")).Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                {
                    await cluster.DisposeAsync();
                    throw new InvalidOperationException($"Redis Cluster did not become ready:\n{create}");
                }

                await Task.Delay(100);
            }
        }

        return cluster;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
