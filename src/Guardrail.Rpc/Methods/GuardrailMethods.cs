using Grpc.Health.V1;
using Guardrail.Contracts.V1;

namespace Guardrail.Rpc.Methods;

/// <summary>The methods of protos/ (Grpc.Tools generates messages only; these name the calls).</summary>
public static class GuardrailMethods
{
    public static readonly UnaryMethod<ScreenRequest, ScreenResponse> Screen =
        new("guardrail.v1.Screen", "Screen", ScreenRequest.Parser, ScreenResponse.Parser);

    public static readonly UnaryMethod<EchoRequest, EchoResponse> Echo =
        new("guardrail.v1.Diagnostics", "Echo", EchoRequest.Parser, EchoResponse.Parser);

    public static readonly UnaryMethod<DetectRequest, DetectResponse> Detect =
        new("guardrail.v1.Detector", "Detect", DetectRequest.Parser, DetectResponse.Parser);

    public static readonly UnaryMethod<WorkerHealthRequest, WorkerHealthResponse> WorkerHealth =
        new("guardrail.v1.Detector", "Health", WorkerHealthRequest.Parser, WorkerHealthResponse.Parser);

    public static readonly UnaryMethod<HealthCheckRequest, HealthCheckResponse> HealthCheck =
        new("grpc.health.v1.Health", "Check", HealthCheckRequest.Parser, HealthCheckResponse.Parser);
}
