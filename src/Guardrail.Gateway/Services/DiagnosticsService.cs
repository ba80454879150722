using Guardrail.Contracts.V1;
using Guardrail.Rpc.Server;

namespace Guardrail.Gateway.Services;

/// <summary>guardrail.v1.Diagnostics/Echo: the transport-only baseline for benchmarks, and an
/// optional delay to check deadline handling end to end.</summary>
public sealed class DiagnosticsService
{
    private const int MaxDelayMs = 10_000;

    public async ValueTask<EchoResponse> EchoAsync(EchoRequest request, ServerCallContext context)
    {
        if (request.DelayMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(request.DelayMs, MaxDelayMs)), context.CancellationToken).ConfigureAwait(false);
        }

        return new EchoResponse { Text = request.Text };
    }
}
