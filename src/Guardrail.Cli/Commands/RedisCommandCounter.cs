using System.Globalization;
using StackExchange.Redis;

namespace Guardrail.Cli.Commands;

/// <summary>
/// Counts the commands clients sent to one Redis server, from INFO commandstats. commandstats
/// also counts the commands a Lua script runs inside the server (the grain storage's write script
/// runs HGET, HMSET and EXPIRE; the control plane's and worker membership's scripts HMGET, HSET,
/// PEXPIRE, DEL), and no client of ours sends those directly on the Screen path, so they are left
/// out along with housekeeping (PING, INFO, the multiplexer's handshake).
/// </summary>
public sealed class RedisCommandCounter : IDisposable
{
    private static readonly HashSet<string> NotRequests =
        ["hmget", "hset", "hget", "hmset", "expire", "pexpire", "del", "info", "ping", "echo", "config|get", "client|setname", "subscribe", "unsubscribe", "cluster|nodes", "time"];

    private readonly ConnectionMultiplexer _connection;
    private readonly IServer _server;

    private RedisCommandCounter(ConnectionMultiplexer connection, IServer server)
    {
        _connection = connection;
        _server = server;
    }

    public static RedisCommandCounter Connect(string endpoint)
    {
        var connection = ConnectionMultiplexer.Connect(endpoint + ",allowAdmin=true"); // INFO is an admin command to StackExchange.Redis
        return new RedisCommandCounter(connection, connection.GetServer(connection.GetEndPoints()[0]));
    }

    /// <summary>Calls per command so far, without the commands named above.</summary>
    public Dictionary<string, long> ClientCommands()
    {
        var counts = new Dictionary<string, long>();
        foreach (var (key, value) in _server.Info("commandstats").SelectMany(group => group))
        {
            var command = key.StartsWith("cmdstat_", StringComparison.Ordinal) ? key[8..] : key;
            if (!NotRequests.Contains(command))
            {
                counts[command] = long.Parse(value.Split(',')[0].Split('=')[1], CultureInfo.InvariantCulture);
            }
        }

        return counts;
    }

    public void Dispose() => _connection.Dispose();
}
