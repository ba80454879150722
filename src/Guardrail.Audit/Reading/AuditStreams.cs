using System.Text.Json;
using Guardrail.Audit.Records;
using Guardrail.Audit.Sinks;
using StackExchange.Redis;

namespace Guardrail.Audit.Reading;

/// <summary>Reads the Redis Stream sink's streams (the streams of an environment are listed in a set).</summary>
public static class AuditStreams
{
    private const int Page = 1000;

    /// <summary>Matching records of every stream of the environment (or one tenant's), in time order.</summary>
    public static async Task<List<AuditRecord>> SearchAsync(IDatabase db, AuditQuery query, List<AuditReadProblem> problems)
    {
        var environment = query.Environment ?? "local";
        var keys = query.Tenant is not null
            ? [RedisStreamSink.StreamKey(new AuditSegment(environment, query.Tenant))]
            : (await db.SetMembersAsync(RedisStreamSink.StreamSetKey(environment)).ConfigureAwait(false)).Select(k => (string)k!).Order(StringComparer.Ordinal).ToArray();
        var records = new List<AuditRecord>();
        foreach (var key in keys)
        {
            var from = "-";
            while (true)
            {
                var page = (RedisResult[])(await db.ScriptEvaluateAsync("return redis.call('XRANGE', KEYS[1], ARGV[1], '+', 'COUNT', ARGV[2])", [key], [from, Page]).ConfigureAwait(false))!;
                foreach (var entry in page)
                {
                    var parts = (RedisResult[])entry!;
                    var id = (string)parts[0]!;
                    var fields = (RedisValue[])parts[1]!;
                    try
                    {
                        records.Add(AuditJson.Parse((string)fields[1]!));
                    }
                    catch (JsonException e)
                    {
                        problems.Add(new AuditReadProblem($"{key} {id}", 0, false, e.Message));
                    }

                    from = "(" + id;
                }

                if (page.Length < Page)
                {
                    break;
                }
            }
        }

        return [.. records.Where(query.Matches).OrderBy(r => r.Time)];
    }
}
