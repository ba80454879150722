using System.Collections.Concurrent;

namespace Guardrail.Gateway.Security;

/// <summary>
/// Counts failed authentications per client address in fixed windows; an address over the limit
/// is refused until its window ends. Per gateway: an attacker spreading guesses over N gateways
/// gets N times the limit, still nothing against 256-bit secrets. Old windows are dropped as new
/// ones open, so memory follows the addresses failing now.
/// </summary>
public sealed class FailedAuthLimiter(int maxFailures, TimeSpan window, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>How long the address must wait, or null when it may try.</summary>
    public TimeSpan? RetryAfter(string peer)
    {
        var now = time.GetUtcNow();
        return _windows.TryGetValue(peer, out var w) && w.Failures >= maxFailures && now < w.Ends ? w.Ends - now : null;
    }

    public void Failed(string peer)
    {
        var now = time.GetUtcNow();
        _windows.AddOrUpdate(peer, _ => new Window(now + window, 1), (_, w) => now >= w.Ends ? new Window(now + window, 1) : w with { Failures = w.Failures + 1 });
        if (_windows.Count > 10_000)
        {
            foreach (var (key, w) in _windows.Where(p => now >= p.Value.Ends))
            {
                _windows.TryRemove(key, out _);
            }
        }
    }

    private sealed record Window(DateTimeOffset Ends, int Failures);
}
