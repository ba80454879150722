namespace Guardrail.Onnx;

/// <summary>An error ONNX Runtime reported (its error code and message), or a missing library.</summary>
public sealed class OnnxRuntimeException(string message, int errorCode = 1) : Exception(message)
{
    /// <summary>OrtErrorCode: 1 FAIL, 2 INVALID_ARGUMENT, 3 NO_SUCHFILE, 4 NO_MODEL, 5 ENGINE_ERROR,
    /// 6 RUNTIME_EXCEPTION, 7 INVALID_PROTOBUF, 8 MODEL_LOADED, 9 NOT_IMPLEMENTED, 10 INVALID_GRAPH, 11 EP_FAIL.</summary>
    public int ErrorCode { get; } = errorCode;
}
