using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Guardrail.State.Redis;

/// <summary>
/// A Lua script run by EVALSHA (the script's SHA-1, computed here): one round trip carrying a few
/// dozen bytes. When a server answers NOSCRIPT (restarted, SCRIPT FLUSH, a new cluster node), the
/// call is repeated once as EVAL, which also loads the script there.
/// </summary>
public sealed class RedisLuaScript
{
    private readonly string _source;
    private readonly byte[] _sha1;
    private long _reloads;

    private RedisLuaScript(string source)
    {
        _source = source;
        _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(source));
    }

    /// <summary>How many times a server did not know the script and it was sent whole.</summary>
    public long Reloads => Interlocked.Read(ref _reloads);

    /// <summary>A script embedded as a resource (LogicalName = file name) in <paramref name="assembly"/>.</summary>
    public static RedisLuaScript FromResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded script {name} is missing from the assembly");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return new RedisLuaScript(reader.ReadToEnd());
    }

    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync database, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            return await database.ScriptEvaluateAsync(_sha1, keys, values).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _reloads);
            return await database.ScriptEvaluateAsync(_source, keys, values).ConfigureAwait(false);
        }
    }
}
