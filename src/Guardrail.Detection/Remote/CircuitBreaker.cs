namespace Guardrail.Detection.Remote;

/// <summary>
/// One worker's breaker: after <c>failures</c> failed calls in a row it opens and the worker gets
/// no calls for <c>openFor</c>; then one probe call is let through (half-open): success closes it,
/// failure opens it again.
/// </summary>
public sealed class CircuitBreaker(int failures, TimeSpan openFor, TimeProvider time)
{
    private readonly Lock _lock = new();
    private int _failuresInRow;
    private DateTimeOffset _openUntil = DateTimeOffset.MinValue;
    private bool _probing;

    public enum State
    {
        Closed,
        Open,
        HalfOpen,
    }

    public State Current
    {
        get
        {
            lock (_lock)
            {
                return _failuresInRow < failures ? State.Closed : time.GetUtcNow() < _openUntil ? State.Open : State.HalfOpen;
            }
        }
    }

    /// <summary>Whether a call may go to this worker now; in half-open state, true once (the probe).</summary>
    public bool TryAcquire()
    {
        lock (_lock)
        {
            if (_failuresInRow < failures)
            {
                return true;
            }

            if (time.GetUtcNow() < _openUntil || _probing)
            {
                return false;
            }

            _probing = true;
            return true;
        }
    }

    public void Success()
    {
        lock (_lock)
        {
            _failuresInRow = 0;
            _probing = false;
        }
    }

    /// <summary>Counts a failure; true when this one opened the breaker.</summary>
    public bool Failure()
    {
        lock (_lock)
        {
            _failuresInRow++;
            _probing = false;
            if (_failuresInRow < failures)
            {
                return false;
            }

            _openUntil = time.GetUtcNow() + openFor;
            return true;
        }
    }
}
