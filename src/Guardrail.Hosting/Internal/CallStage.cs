using Microsoft.AspNetCore.Http;

namespace Guardrail.Hosting.Internal;

/// <summary>How far a call got, as the middlewares and the interceptor note it on the request.</summary>
internal static class CallStage
{
    private static readonly object HandlerKey = new();
    private static readonly object AnsweredKey = new();

    /// <summary>Grpc.AspNetCore read and parsed the request and called the service.</summary>
    public static void ReachHandler(HttpContext context) => context.Items[HandlerKey] = true;

    public static bool ReachedHandler(HttpContext context) => context.Items.ContainsKey(HandlerKey);

    /// <summary>A middleware of ours answered before the call reached Grpc.AspNetCore.</summary>
    public static void AnswerEarly(HttpContext context) => context.Items[AnsweredKey] = true;

    public static bool AnsweredEarly(HttpContext context) => context.Items.ContainsKey(AnsweredKey);
}
