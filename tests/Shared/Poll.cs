namespace Guardrail.Tests.Shared;

/// <summary>Waits for a condition with a deadline instead of sleeping a guessed time.</summary>
public static class Poll
{
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string failure)
        => UntilAsync(() => Task.FromResult(condition()), timeout, failure);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{failure} within {timeout.TotalSeconds:0.#} s");
            }

            await Task.Delay(5);
        }
    }
}
