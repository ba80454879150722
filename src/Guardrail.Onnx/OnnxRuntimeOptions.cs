namespace Guardrail.Onnx;

/// <summary>How sessions run on ONNX Runtime (section "Guardrail:Onnx"). The runtime itself comes
/// with the application (the Microsoft.ML.OnnxRuntime package, or its GPU build).</summary>
public sealed class OnnxRuntimeOptions
{
    public const string Section = "Guardrail:Onnx";

    /// <summary>Threads one inference may use. Default 1: the gateway runs many requests at once,
    /// and a detector batch of short texts gains nothing from more.</summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>"cpu" or "cuda" (needs the GPU build: -p:OnnxRuntimeGpu=true, CUDA and cuDNN).
    /// Default "cpu".</summary>
    public string ExecutionProvider { get; set; } = "cpu";

    /// <summary>GPU for the CUDA execution provider. Default 0.</summary>
    public int CudaDeviceId { get; set; }

    /// <summary>When CUDA is asked for but cannot be used: true runs on CPU and logs a warning,
    /// false fails the start with ONNX Runtime's reason. Default false.</summary>
    public bool CudaFallbackToCpu { get; set; }

    public IEnumerable<string> Validate()
    {
        if (IntraOpThreads < 0)
        {
            yield return $"{Section}:{nameof(IntraOpThreads)} must not be negative (was {IntraOpThreads}).";
        }

        if (ExecutionProvider is not ("cpu" or "cuda"))
        {
            yield return $"{Section}:{nameof(ExecutionProvider)} must be cpu or cuda (was '{ExecutionProvider}').";
        }
    }
}
