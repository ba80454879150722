using Grpc.Core;

namespace Guardrail.Contracts.Server;

/// <summary>A call's deadline as handlers use it.</summary>
public static class CallDeadline
{
    /// <summary>When the call must be answered: the client's grpc-timeout, capped by the host's
    /// Guardrail:Rpc:MaxCallDurationMs (so every call has one).</summary>
    public static DateTimeOffset DeadlineUtc(this ServerCallContext context)
        => context.Deadline == DateTime.MaxValue ? DateTimeOffset.MaxValue : new DateTimeOffset(DateTime.SpecifyKind(context.Deadline, DateTimeKind.Utc));
}
