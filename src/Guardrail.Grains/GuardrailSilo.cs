using System.Net;
using Microsoft.AspNetCore.Builder;
using Guardrail.State;
using Guardrail.State.Control;
using Guardrail.State.Redis;
using Guardrail.State.Redis.Control;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Hosting;
using Orleans.Persistence;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;

namespace Guardrail.Grains;

/// <summary>The gateway's co-hosted Orleans silo, holding the tenant, session and control-plane grains.</summary>
public static class GuardrailSilo
{
    public const string TenantStorage = "guardrail-tenants";
    public const string SessionStorage = "guardrail-sessions";
    public const string ControlStorage = "guardrail-control";

    /// <summary>Orleans' own meter (silo, grain and messaging instruments), for /metrics.</summary>
    public const string Meter = "Microsoft.Orleans";

    /// <summary>The silo of this gateway: clustered and stored as <see cref="StateOptions.Store"/>
    /// says; it starts and stops with the host.</summary>
    public static IHostApplicationBuilder AddGuardrailSilo(this IHostApplicationBuilder builder, SiloOptions options, StateOptions state, ControlPlaneOptions? control = null)
    {
        builder.UseOrleans(silo =>
        {
            silo.UseGuardrailClustering(options, state).AddGuardrailGrains(options, state, control);
            if (options.Dashboard)
            {
                silo.AddDashboard(dashboard => dashboard.HideTrace = true); // the log stream would be one more way out for what the logs hold
            }
        });
        BoundedSiloStop.Decorate(builder.Services);
        return builder;
    }

    /// <summary>The dashboard's pages and API on the ops port, when <see cref="SiloOptions.Dashboard"/> is on.</summary>
    public static void MapGuardrailDashboard(this IApplicationBuilder ops)
        => ops.UseRouting().UseEndpoints(endpoints => endpoints.MapOrleansDashboard(SiloOptions.DashboardPath));

    /// <summary>Where the gateway's state lives, for the start-up log: endpoints only, never the password.</summary>
    public static string Describe(SiloOptions options, StateOptions state)
        => state.Store == "redis"
            ? $"tenant and session grains of cluster '{options.ClusterId}' (membership and grain state in redis {RedisConnection.Endpoints(state.Redis)})"
            : "tenant and session grains on this gateway's embedded silo (in memory)";

    /// <summary>"memory": one silo on loopback, clustered with nobody. "redis": membership in Redis,
    /// with failure detection tuned to declare a killed silo dead in about a second (Orleans'
    /// defaults took 7.5–14 s here, calls to its grains failing all along): a probe times out
    /// after 1 s, two missed probes make a suspicion, and one vote declares death. No client
    /// gateway in either: the gRPC services in the same process call the grains directly.</summary>
    public static ISiloBuilder UseGuardrailClustering(this ISiloBuilder silo, SiloOptions options, StateOptions state)
    {
        if (state.Store != "redis")
        {
            return silo.UseLocalhostClustering(siloPort: options.ResolveSiloPort(), gatewayPort: 0, serviceId: "guardrail", clusterId: "embedded");
        }

        var address = IPAddress.Parse(options.AdvertisedAddress);
        return silo
            .Configure<ClusterOptions>(cluster => (cluster.ClusterId, cluster.ServiceId) = (options.ClusterId, options.ClusterId))
            .ConfigureEndpoints(address, options.ResolveSiloPort(), gatewayPort: 0, listenOnAnyHostAddress: !IPAddress.IsLoopback(address))
            .UseRedisClustering(redis => redis.ConfigurationOptions = RedisConnection.Options(state.Redis, syncTimeoutMs: 1000))
            .Configure<ClusterMembershipOptions>(membership =>
            {
                membership.ProbeTimeout = TimeSpan.FromSeconds(1);
                membership.NumMissedProbesLimit = 2;
                membership.NumVotesForDeathDeclaration = 1;
            });
    }

    /// <summary>The grains and what they need, on any silo (the gateway's, or a test cluster's).
    /// With the Redis store their state is written behind to Redis, each key expiring a while after
    /// the state in it would have (a tenant's TTL; a session's idle time or lock); the control
    /// plane's never expires, and its changes are announced on a Redis channel
    /// (<see cref="RedisControlFeed"/>). Embedded, the control plane is kept in the silo's memory
    /// storage (it outlives the grain's idle deactivation, not the process) and announced in-process.</summary>
    public static ISiloBuilder AddGuardrailGrains(this ISiloBuilder silo, SiloOptions options, StateOptions state, ControlPlaneOptions? control = null)
    {
        silo.Services.TryAddSingleton(state);
        silo.Services.TryAddSingleton(control ?? new ControlPlaneOptions());
        silo.AddPlacementDirector<TenantPlacement, TenantPlacementDirector>();
        if (state.Store != "redis")
        {
            silo.Services.TryAddSingleton(new GrainPersistence(false, TimeSpan.Zero, TimeSpan.Zero));
            silo.Services.AddGrainStorage(TenantStorage, (_, _) => new NoGrainStorage());
            silo.Services.AddGrainStorage(SessionStorage, (_, _) => new NoGrainStorage());
            silo.AddMemoryGrainStorage(ControlStorage);
            silo.Services.TryAddSingleton<LocalControlFeed>();
            silo.Services.TryAddSingleton<IControlFeed>(services => services.GetRequiredService<LocalControlFeed>());
            silo.Services.TryAddSingleton<IControlAnnouncer>(services => services.GetRequiredService<LocalControlFeed>());
            return silo;
        }

        silo.Services.TryAddSingleton(services => RedisControlFeed.Connect(state.Redis, services.GetRequiredService<ControlPlaneOptions>().TimeoutMs));
        silo.Services.TryAddSingleton<IControlFeed>(services => services.GetRequiredService<RedisControlFeed>());
        silo.Services.TryAddSingleton<IControlAnnouncer>(services => services.GetRequiredService<RedisControlFeed>());
        AddStorage(silo, ControlStorage, state, expiry: null);

        silo.Services.TryAddSingleton(new GrainPersistence(true, TimeSpan.FromMilliseconds(options.WriteBehindMs), TimeSpan.FromMilliseconds(state.TimeoutMs / 2.0)));
        var margin = TimeSpan.FromMinutes(1);
        AddStorage(silo, TenantStorage, state, TimeSpan.FromSeconds(state.TenantTtlSeconds) + margin);
        AddStorage(silo, SessionStorage, state, TimeSpan.FromSeconds(Math.Max(state.Session.IdleSeconds, state.Session.LockSeconds)) + margin);
        return silo;
    }

    private static void AddStorage(ISiloBuilder silo, string name, StateOptions state, TimeSpan? expiry)
        => silo.AddRedisGrainStorage(name, storage => storage.Configure<Serializer>((redis, serializer) =>
        {
            redis.ConfigurationOptions = RedisConnection.Options(state.Redis, Math.Max(1000, state.TimeoutMs * 4));
            redis.GrainStorageSerializer = new OrleansBinaryStorageSerializer(serializer);
            redis.DeleteStateOnClear = true;
            // Orleans warns that an expiry lets a stale duplicate activation write over a vanished
            // key; ours expire only after the state in them has (idle longer than its TTL), and
            // without one every session ever seen would stay in Redis.
            redis.EntryExpiry = expiry;
        }));
}
