using Grpc.Core;
using Guardrail.Contracts.Server;
using Guardrail.Contracts.V1;

namespace Guardrail.Gateway.Services;

/// <summary>guardrail.v1.Diagnostics/Echo: the transport-only baseline for benchmarks, and an
/// optional delay to check deadline handling end to end.</summary>
[BindServiceMethod(typeof(StrictBinding<Diagnostics.DiagnosticsBase>), nameof(StrictBinding<Diagnostics.DiagnosticsBase>.Bind))]
public sealed class DiagnosticsService : Diagnostics.DiagnosticsBase
{
    private const int MaxDelayMs = 10_000;

    public override async Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context)
    {
        if (request.DelayMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(request.DelayMs, MaxDelayMs)), context.CancellationToken).ConfigureAwait(false);
        }

        return new EchoResponse { Text = request.Text };
    }
}
