namespace Guardrail.Onnx;

/// <summary>How ONNX Runtime is loaded and sessions are run (section "Guardrail:Onnx").</summary>
public sealed class OnnxRuntimeOptions
{
    public const string Section = "Guardrail:Onnx";

    /// <summary>Path of libonnxruntime.so.1. Default: none, then $GUARDRAIL_ONNXRUNTIME, the
    /// application folder, and .tools/onnxruntime/ above it (where scripts/setup-onnxruntime.sh puts it).</summary>
    public string? LibraryPath { get; set; }

    /// <summary>Threads one inference may use. Default 1: the gateway runs many requests at once,
    /// and a detector batch of short texts gains nothing from more.</summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>"cpu" or "cuda". Default "cpu".</summary>
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

        if (LibraryPath is { Length: > 0 } path && !File.Exists(path))
        {
            yield return $"{Section}:{nameof(LibraryPath)} '{path}' does not exist.";
        }
    }
}
