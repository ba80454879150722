using System.Globalization;
using StackExchange.Redis;

namespace Guardrail.State.Redis;

/// <summary>
/// The cluster store. Every Screen request is ONE EVALSHA of record_turn.lua over two keys of its
/// tenant, gr:{tenant}:t (bucket, daily budget, anomaly baselines) and gr:{tenant}:s:{session}
/// (conversation risk); the {tenant} hash tag keeps both on one Redis Cluster shard, so the script
/// is atomic there too. Every key carries a TTL. Failures of the store become
/// <see cref="StateUnavailableException"/> (<see cref="RedisCallGuard"/>).
/// </summary>
public sealed class RedisStateStore(IConnectionMultiplexer redis, StateOptions options, TimeProvider? time = null) : IScreeningStateStore
{
    private static readonly RedisLuaScript RecordTurn = RedisLuaScript.FromResource(typeof(RedisStateStore).Assembly, "record_turn.lua");
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly RedisCallGuard _guard = new(TimeSpan.FromMilliseconds(options.TimeoutMs), "Guardrail:State:TimeoutMs");

    /// <summary>Script reloads after NOSCRIPT, across stores in this process (for tests and metrics).</summary>
    public static long ScriptReloads => RecordTurn.Reloads;

    /// <summary>Connects without waiting for Redis to be up (<see cref="RedisConnection"/>); until it
    /// is, every operation fails fast as unavailable.</summary>
    public static ConnectionMultiplexer Connect(StateOptions options, TextWriter? log = null)
        => RedisConnection.Connect(options.Redis, Math.Max(1000, options.TimeoutMs * 4), log);

    internal static RedisKey TenantKey(string tenantId) => $"gr:{{{tenantId}}}:t";

    internal static RedisKey SessionKey(string tenantId, string sessionId) => $"gr:{{{tenantId}}}:s:{sessionId}";

    public async ValueTask<TurnOutcome> RecordTurnAsync(ScreeningTurn turn, CancellationToken cancellationToken = default)
    {
        var quota = options.QuotaFor(turn.TenantId);
        var anomaly = options.Anomaly;
        var session = options.Session;
        var hasSession = !string.IsNullOrEmpty(turn.SessionId);
        RedisKey[] keys = [TenantKey(turn.TenantId), SessionKey(turn.TenantId, hasSession ? turn.SessionId! : string.Empty)];
        RedisValue[] values =
        [
            turn.NowMs, turn.ChannelWeight, turn.Chars, turn.RiskScore, turn.Flagged ? 1 : 0,
            quota.RequestsPerSecond, quota.Burst, quota.DailyChars, quota.RiskCostFactor,
            session.HalfLifeSeconds * 1000L, session.Floor, session.FlagAt, session.BlockAt, session.LockSeconds * 1000L, session.IdleSeconds * 1000L,
            options.TenantTtlSeconds * 1000L, anomaly.BucketSeconds * 1000L, anomaly.Alpha, anomaly.AnomalousLearning, anomaly.MinBuckets,
            anomaly.RaiseZ, anomaly.ClearZ, hasSession ? 1 : 0, anomaly.MinCountStd, anomaly.MinShareStd, TurnRules.MaxEmptyBuckets,
        ];
        var result = (RedisResult[])(await _guard.RunAsync(RecordTurn.EvaluateAsync(redis.GetDatabase(), keys, values), cancellationToken).ConfigureAwait(false))!;
        double Number(int i) => double.Parse((string)result[i]!, NumberStyles.Float, CultureInfo.InvariantCulture);
        return new TurnOutcome(
            (ThrottleKind)(int)Number(0), (long)Number(1), Number(2), (SessionLevel)(int)Number(3), (long)Number(4),
            Number(5) == 1, Number(6), Number(7), Number(8));
    }

    public async ValueTask<TenantSnapshot> GetTenantAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        var entries = await _guard.RunAsync(redis.GetDatabase().HashGetAllAsync(TenantKey(tenantId)), cancellationToken).ConfigureAwait(false);
        var fields = entries.ToDictionary(e => (string)e.Name!, e => double.Parse((string)e.Value!, NumberStyles.Float, CultureInfo.InvariantCulture));
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (fields.Count == 0 || now - fields.GetValueOrDefault("seen") >= options.TenantTtlSeconds * 1000L)
        {
            return TurnRules.Snapshot(tenantId, new TenantState());
        }

        var day = now / TurnRules.DayMs;
        return new TenantSnapshot(
            tenantId, fields.GetValueOrDefault("tokens"), fields.GetValueOrDefault("day") == day ? fields.GetValueOrDefault("used") : 0,
            fields.GetValueOrDefault("anom") == 1, fields.GetValueOrDefault("z"), (int)fields.GetValueOrDefault("k"),
            fields.GetValueOrDefault("m1"), fields.GetValueOrDefault("m2"), fields.GetValueOrDefault("m3"));
    }

    public async ValueTask<SessionSnapshot?> GetSessionAsync(string tenantId, string sessionId, CancellationToken cancellationToken = default)
    {
        var values = await _guard.RunAsync(redis.GetDatabase().HashGetAsync(SessionKey(tenantId, sessionId), ["risk", "at", "lock"]), cancellationToken).ConfigureAwait(false);
        if (values[0].IsNull)
        {
            return null;
        }

        var (risk, at, lockedUntil) = ((double)values[0], (long)values[1], (long)(double)values[2]);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return now - at >= options.Session.IdleSeconds * 1000L && lockedUntil <= now ? null : new SessionSnapshot(tenantId, sessionId, risk, at, lockedUntil);
    }

    public async ValueTask ResetSessionAsync(string tenantId, string sessionId, CancellationToken cancellationToken = default)
        => await _guard.RunAsync(redis.GetDatabase().KeyDeleteAsync(SessionKey(tenantId, sessionId)), cancellationToken).ConfigureAwait(false);
}
