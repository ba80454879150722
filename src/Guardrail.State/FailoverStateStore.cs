namespace Guardrail.State;

/// <summary>
/// The state store as the gateway uses it: the configured store first; when it is unreachable,
/// the tenant's policy decides: fail closed (the <see cref="StateUnavailableException"/> goes on,
/// and Screen answers UNAVAILABLE) or fail open (a local in-memory store answers, and the outcome
/// says <see cref="TurnOutcome.Fallback"/>). Every call tries the primary again, so service
/// returns by itself the moment the store does; <see cref="AvailabilityChanged"/> reports each
/// transition once (for a log line), not each failed call.
/// </summary>
public sealed class FailoverStateStore(IScreeningStateStore primary, InMemoryStateStore fallback)
{
    private int _down;

    /// <summary>The configured store itself, for operators' reads and resets (no fallback: an
    /// operator should learn that the store is down, not read a local copy).</summary>
    public IScreeningStateStore Primary => primary;

    /// <summary>(available, reason): raised when the primary stops or starts answering.</summary>
    public event Action<bool, string>? AvailabilityChanged;

    public async ValueTask<TurnOutcome> RecordTurnAsync(ScreeningTurn turn, bool failClosed, CancellationToken cancellationToken = default)
    {
        try
        {
            var outcome = await primary.RecordTurnAsync(turn, cancellationToken).ConfigureAwait(false);
            if (Interlocked.Exchange(ref _down, 0) == 1)
            {
                AvailabilityChanged?.Invoke(true, "state store answers again");
            }

            StateMetrics.Record(turn.TenantId, outcome);
            return outcome;
        }
        catch (StateUnavailableException e)
        {
            if (Interlocked.Exchange(ref _down, 1) == 0)
            {
                AvailabilityChanged?.Invoke(false, e.Message);
            }

            if (failClosed)
            {
                throw;
            }

            var local = await fallback.RecordTurnAsync(turn, cancellationToken).ConfigureAwait(false) with { Fallback = true };
            StateMetrics.Record(turn.TenantId, local);
            return local;
        }
    }
}
