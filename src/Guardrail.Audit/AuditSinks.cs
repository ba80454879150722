using Guardrail.Audit.Records;
using Guardrail.Audit.Sealing;
using Guardrail.Audit.Sinks;

namespace Guardrail.Audit;

/// <summary>Builds the configured sink and the record builder from the options.</summary>
public static class AuditSinks
{
    /// <param name="stateRedis">Guardrail:State:Redis, used when Guardrail:Audit:Redis is empty.</param>
    public static IAuditSink Create(AuditOptions options, string stateRedis, TimeProvider time) => options.Sink == "redis"
        ? new RedisStreamSink(string.IsNullOrEmpty(options.Redis) ? stateRedis : options.Redis, options.StreamMaxLength)
        : new JsonlFileSink(options.Directory, options.MaxFileBytes, time);

    /// <exception cref="AuditKeyException">the key folder or active key is wrong.</exception>
    public static ScreenAuditRecords Records(AuditOptions options)
    {
        var retain = options.RetainedVerdicts;
        return new ScreenAuditRecords(options.Environment, retain, retain.Count > 0 ? KeyRing(options) : null);
    }

    /// <summary>The audit keys (what retained text and session placeholders are sealed with), or
    /// null when no key folder is configured.</summary>
    /// <exception cref="AuditKeyException">the key folder or active key is wrong.</exception>
    public static AuditKeyRing? KeyRing(AuditOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.KeyDirectory))
        {
            return null;
        }

        var keys = AuditKeyRing.Load(options.KeyDirectory, options.ActiveKeyId);
        return keys.ActiveKeyId is null
            ? throw new AuditKeyException($"'{options.KeyDirectory}' holds {keys.KeyIds.Count} keys: name the one to seal with in {AuditOptions.Section}:ActiveKeyId")
            : keys;
    }
}
