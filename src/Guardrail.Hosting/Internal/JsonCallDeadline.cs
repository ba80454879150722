using Guardrail.Contracts.Server;
using Microsoft.AspNetCore.Http;

namespace Guardrail.Hosting.Internal;

/// <summary>
/// The deadline of an HTTP/JSON call: the call's cancellation token (JSON transcoding hands
/// handlers HttpContext.RequestAborted) is replaced by one that is also cancelled at the deadline,
/// and the deadline is put where <see cref="CallDeadline"/> reads it. A handler cancelled this way
/// answers DEADLINE_EXCEEDED (HTTP 504), not CANCELLED.
/// </summary>
internal sealed class JsonCallDeadline
{
    private static readonly object Key = new();
    private readonly CancellationToken _clientAborted;

    private JsonCallDeadline(CancellationToken clientAborted) => _clientAborted = clientAborted;

    public static async Task RunAsync(HttpContext context, TimeSpan timeout, RequestDelegate next)
    {
        var deadline = new JsonCallDeadline(context.RequestAborted);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        cancellation.CancelAfter(timeout);
        context.Items[Key] = deadline;
        context.Items[CallDeadline.UserStateKey] = DateTimeOffset.UtcNow + timeout;
        var clientAborted = context.RequestAborted;
        context.RequestAborted = cancellation.Token;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.RequestAborted = clientAborted;
        }
    }

    /// <summary>Whether this HTTP/JSON call was cancelled by its deadline rather than by its client.</summary>
    public static bool Passed(HttpContext context)
        => context.Items.TryGetValue(Key, out var value) && value is JsonCallDeadline deadline
           && context.RequestAborted.IsCancellationRequested && !deadline._clientAborted.IsCancellationRequested;
}
