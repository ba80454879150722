namespace Guardrail.State.Redis;

/// <summary>Builds the store configuration asks for ("memory": the grains of the gateway's embedded
/// silo, or "redis"), with the local in-memory fallback that fail-open tenants are served from while
/// the store is unreachable.</summary>
public static class StateStores
{
    /// <param name="embedded">The store "memory" means (the grains); null: an in-memory store in this process.</param>
    public static FailoverStateStore Create(StateOptions options, TimeProvider? time = null, TextWriter? connectLog = null, IScreeningStateStore? embedded = null)
    {
        var local = new InMemoryStateStore(options, time);
        IScreeningStateStore primary = options.Store == "redis"
            ? new RedisStateStore(RedisStateStore.Connect(options, connectLog), options, time)
            : embedded ?? local;
        return new FailoverStateStore(primary, local);
    }

    /// <summary>Where the state lives, for the start-up log: endpoints only, never the password.</summary>
    public static string Describe(StateOptions options)
        => options.Store == "redis"
            ? "redis " + RedisConnection.Endpoints(options.Redis)
            : "memory (tenant and session grains on this gateway's embedded silo)";
}
