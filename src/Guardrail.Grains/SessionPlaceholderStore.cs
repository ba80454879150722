using Guardrail.State;
using Guardrail.State.Privacy;
using Orleans;

namespace Guardrail.Grains;

/// <summary>The gateway's calls to a session grain's placeholders, bounded like the state store's
/// (<see cref="StateOptions.TimeoutMs"/>, the call's cancellation); Orleans' failures become
/// <see cref="StateUnavailableException"/>.</summary>
public sealed class SessionPlaceholderStore(IGrainFactory grains, StateOptions options, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly TimeSpan _timeout = TimeSpan.FromMilliseconds(options.TimeoutMs);

    public ValueTask<string?[]> AssignAsync(string tenantId, string sessionId, PlaceholderRequest[] values, int limit, CancellationToken cancellationToken)
        => GrainCalls.BoundedAsync(ct => Session(tenantId, sessionId).Placeholders(values, NowMs, limit, ct), _timeout, StateOptions.Section + ":TimeoutMs", cancellationToken);

    public ValueTask<SealedValue?[]> OriginalsAsync(string tenantId, string sessionId, string[] placeholders, CancellationToken cancellationToken)
        => GrainCalls.BoundedAsync(ct => Session(tenantId, sessionId).Originals(placeholders, NowMs, ct), _timeout, StateOptions.Section + ":TimeoutMs", cancellationToken);

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private ISessionGrain Session(string tenantId, string sessionId) => grains.GetGrain<ISessionGrain>(SessionGrainKey.Of(tenantId, sessionId));
}
