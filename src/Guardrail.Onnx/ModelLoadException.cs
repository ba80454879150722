namespace Guardrail.Onnx;

/// <summary>A model could not be opened: ONNX Runtime's reason, and whether the CUDA execution
/// provider was what failed (a deployment error) rather than the model file.</summary>
public sealed class ModelLoadException(string message, bool cudaUnavailable, Exception? inner) : Exception(message, inner)
{
    public bool CudaUnavailable { get; } = cudaUnavailable;
}
