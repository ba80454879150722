using Grpc.Core;

namespace Guardrail.Contracts.Server;

/// <summary>A call's deadline as handlers use it.</summary>
public static class CallDeadline
{
    /// <summary>Where a host keeps the deadline of a call Grpc.AspNetCore has none for (an HTTP/JSON
    /// call through JSON transcoding), in the call's user state.</summary>
    public const string UserStateKey = "guardrail.deadline";

    /// <summary>When the call must be answered: the client's grpc-timeout, capped by the host's
    /// Guardrail:Rpc:MaxCallDurationMs (so every call has one, HTTP/JSON calls too).</summary>
    public static DateTimeOffset DeadlineUtc(this ServerCallContext context)
        => context.Deadline != DateTime.MaxValue ? new DateTimeOffset(DateTime.SpecifyKind(context.Deadline, DateTimeKind.Utc))
            : context.UserState.TryGetValue(UserStateKey, out var value) && value is DateTimeOffset deadline ? deadline
            : DateTimeOffset.MaxValue;
}
