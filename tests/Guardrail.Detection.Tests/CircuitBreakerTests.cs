using Guardrail.Detection.Remote;
using Guardrail.Tests.Shared;

namespace Guardrail.Detection.Tests;

public sealed class CircuitBreakerTests
{
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Opens_after_failures_in_a_row_lets_one_probe_through_later_and_closes_on_its_success()
    {
        var breaker = new CircuitBreaker(3, TimeSpan.FromSeconds(1), _time);
        Assert.False(breaker.Failure());
        breaker.Success(); // a success in between resets the count
        Assert.False(breaker.Failure());
        Assert.False(breaker.Failure());
        Assert.True(breaker.Failure());
        Assert.Equal(CircuitBreaker.State.Open, breaker.Current);
        Assert.False(breaker.TryAcquire());
        _time.Advance(TimeSpan.FromMilliseconds(1000));
        Assert.Equal(CircuitBreaker.State.HalfOpen, breaker.Current);
        Assert.True(breaker.TryAcquire());
        Assert.False(breaker.TryAcquire()); // one probe at a time
        breaker.Success();
        Assert.Equal(CircuitBreaker.State.Closed, breaker.Current);
        Assert.True(breaker.TryAcquire());
    }

    [Fact]
    public void A_failed_probe_opens_it_again()
    {
        var breaker = new CircuitBreaker(1, TimeSpan.FromSeconds(1), _time);
        Assert.True(breaker.Failure());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(breaker.TryAcquire());
        Assert.True(breaker.Failure());
        Assert.False(breaker.TryAcquire());
    }
}
