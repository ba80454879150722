using StackExchange.Redis;

namespace Guardrail.State.Redis;

/// <summary>How this project connects to Redis (the state store, the audit stream sink): without
/// waiting for Redis to be up, reconnecting every 250 ms in the background, so that until it is
/// back every operation fails fast instead of hanging.</summary>
public static class RedisConnection
{
    /// <param name="configuration">StackExchange.Redis syntax: host:port, several cluster nodes, password=...</param>
    /// <param name="syncTimeoutMs">How long one operation may take before it counts as failed.</param>
    public static ConnectionMultiplexer Connect(string configuration, int syncTimeoutMs, TextWriter? log = null)
        => ConnectionMultiplexer.Connect(Options(configuration, syncTimeoutMs), log);

    /// <summary>The same settings for a library that makes its own multiplexer (Orleans' Redis providers).</summary>
    public static ConfigurationOptions Options(string configuration, int syncTimeoutMs)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 5000; // a busy node can take seconds to finish the handshake; calls are bounded by their own timeouts anyway
        options.SyncTimeout = syncTimeoutMs;
        options.ConnectRetry = 1;
        options.KeepAlive = 1;
        options.ReconnectRetryPolicy = new LinearRetry(250);
        return options;
    }

    /// <summary>The endpoints of a configuration, for logs: never the password.</summary>
    public static string Endpoints(string configuration)
        => string.Join(", ", ConfigurationOptions.Parse(configuration).EndPoints.Select(e => e.ToString()));
}
