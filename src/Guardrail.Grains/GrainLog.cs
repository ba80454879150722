using Microsoft.Extensions.Logging;

namespace Guardrail.Grains;

/// <summary>The grains' and the silo's log lines (never a tenant's text: grain ids and errors only).</summary>
internal static partial class GrainLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "grain {Grain}: state not written ({Error}: {Reason}); it stays in memory and is retried with back-off")]
    public static partial void WriteFailed(ILogger logger, string grain, string error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "grain {Grain}: storage holds a newer state ({Reason}); deactivating to reload it")]
    public static partial void WriteConflict(ILogger logger, string grain, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the silo did not stop within {Seconds} s (Redis unreachable?); exiting without it: the other silos declare it dead by its missed probes")]
    public static partial void SiloStopAbandoned(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "grain {Grain}: expired state not cleared ({Error}: {Reason})")]
    public static partial void ClearFailed(ILogger logger, string grain, string error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "control plane: revision {Revision} is stored but its notice was not sent ({Error}: {Reason}); nodes learn it at their reconcile, and the notice is retried every second")]
    public static partial void NoticeFailed(ILogger logger, long revision, string error, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "control plane: notice of revision {Revision} sent after {Failures} failed attempts")]
    public static partial void NoticeSent(ILogger logger, long revision, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "control plane: storage had lost its tables (Redis restarted without persistence?); wrote back the tables this activation holds (revision {Revision})")]
    public static partial void ControlRestored(ILogger logger, long revision);
}
