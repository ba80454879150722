using System.Globalization;
using System.Threading.RateLimiting;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Guardrail.Hosting.Internal;

/// <summary>
/// Admission through ASP.NET Core's rate limiter, counted from the request headers so a call still
/// sending its message (or stalled) holds its slot: at most
/// <see cref="GrpcServerOptions.MaxInFlightCalls"/> calls at once (beyond: UNAVAILABLE), and at most
/// <see cref="GrpcServerOptions.MaxInFlightCallsPerClient"/> of them from one client address
/// (beyond: RESOURCE_EXHAUSTED), both refused at once with grpc-retry-pushback-ms. A JSON caller
/// gets 503 or 429 with Retry-After instead.
/// </summary>
internal static class CallAdmission
{
    public const string PerClientPolicy = "guardrail-per-client";

    public static IServiceCollection AddCallAdmission(this IServiceCollection services, GrpcServerOptions options)
    {
        var pushback = TimeSpan.FromMilliseconds(options.RetryPushbackMs);
        return services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => context.GetEndpoint() is null
                ? RateLimitPartition.GetNoLimiter("not a call")
                : RateLimitPartition.GetConcurrencyLimiter("calls", _ => new ConcurrencyLimiterOptions { PermitLimit = options.MaxInFlightCalls, QueueLimit = 0 }));
            limiter.OnRejected = (rejected, _) => Refuse(rejected.HttpContext, StatusCode.Unavailable, StatusCodes.Status503ServiceUnavailable,
                $"server overloaded: {options.MaxInFlightCalls} calls in flight (Guardrail:Rpc:MaxInFlightCalls); retry after the pushback", pushback);
            limiter.AddPolicy(PerClientPolicy, new PerClient(options, pushback));
        });
    }

    private static ValueTask Refuse(HttpContext context, StatusCode code, int httpStatus, string message, TimeSpan pushback)
    {
        if (GrpcStatusResponse.IsGrpc(context.Request))
        {
            GrpcStatusResponse.Write(context.Response, code, message, pushback);
            return ValueTask.CompletedTask;
        }

        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(pushback.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return new ValueTask(JsonError.WriteAsync(context, httpStatus, code, message));
    }

    /// <summary>One concurrency limiter per client IP address.</summary>
    private sealed class PerClient(GrpcServerOptions options, TimeSpan pushback) : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = (rejected, _) => Refuse(rejected.HttpContext,
            StatusCode.ResourceExhausted, StatusCodes.Status429TooManyRequests,
            $"too many calls in flight from this client: {options.MaxInFlightCallsPerClient} (Guardrail:Rpc:MaxInFlightCallsPerClient); retry after the pushback", pushback);

        public RateLimitPartition<string> GetPartition(HttpContext httpContext)
            => RateLimitPartition.GetConcurrencyLimiter(httpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new ConcurrencyLimiterOptions { PermitLimit = options.MaxInFlightCallsPerClient, QueueLimit = 0 });
    }
}
