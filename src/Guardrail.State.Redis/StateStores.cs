namespace Guardrail.State.Redis;

/// <summary>Builds the store configuration asks for ("memory" or "redis"), with the local
/// in-memory fallback that fail-open tenants are served from while Redis is unreachable.</summary>
public static class StateStores
{
    public static FailoverStateStore Create(StateOptions options, TimeProvider? time = null, TextWriter? connectLog = null)
    {
        var local = new InMemoryStateStore(options, time);
        IScreeningStateStore primary = options.Store == "redis"
            ? new RedisStateStore(RedisStateStore.Connect(options, connectLog), options, time)
            : local;
        return new FailoverStateStore(primary, local);
    }

    /// <summary>Where the state lives, for the start-up log: endpoints only, never the password.</summary>
    public static string Describe(StateOptions options)
        => options.Store == "redis"
            ? "redis " + RedisConnection.Endpoints(options.Redis)
            : "memory (in-process)";
}
