using Microsoft.ML.OnnxRuntime;
using OrtSession = Microsoft.ML.OnnxRuntime.InferenceSession;

namespace Guardrail.Onnx;

/// <summary>
/// One loaded model on ONNX Runtime (the Microsoft.ML.OnnxRuntime package). <see cref="Run"/> may
/// be called from many threads at once (ONNX Runtime sessions are safe for that). Inputs are
/// OrtValues over the callers' pinned arrays, no copies; the output is copied once into a new
/// array, and every native value of a run is released before it returns.
/// </summary>
public sealed class ModelSession : IDisposable
{
    private readonly OrtSession _session;
    private readonly HashSet<string> _inputs;
    private int _disposed;

    private ModelSession(OrtSession session, string executionProvider, string? fallbackReason)
    {
        _session = session;
        ExecutionProvider = executionProvider;
        FallbackReason = fallbackReason;
        InputNames = session.InputNames;
        OutputNames = session.OutputNames;
        _inputs = new HashSet<string>(InputNames, StringComparer.Ordinal);
    }

    public IReadOnlyList<string> InputNames { get; }

    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>An input's dimensions as the graph declares them; -1 for a symbolic one (any size).</summary>
    public IReadOnlyList<int> InputDimensions(string input) => _session.InputMetadata[input].Dimensions;

    /// <summary>"cpu" or "cuda": where this session runs.</summary>
    public string ExecutionProvider { get; }

    /// <summary>Why CUDA was asked for but CPU is used, when <see cref="SessionSettings.CudaFallbackToCpu"/> allowed it.</summary>
    public string? FallbackReason { get; }

    /// <summary>ONNX Runtime's version, e.g. "1.30.0".</summary>
    public static string RuntimeVersion => Runtime.GetVersionString();

    /// <summary>The process's one ONNX Runtime environment, its telemetry client never started
    /// (<see cref="TelemetryOff"/>): a guardrail never phones home.</summary>
    private static OrtEnv Runtime => LazyRuntime.Value;

    private static readonly Lazy<OrtEnv> LazyRuntime = new(() =>
    {
        TelemetryOff.EnsureBeforeLoad();
        var env = OrtEnv.Instance();
        env.DisableTelemetryEvents();
        return env;
    });

    /// <summary>Opens a model from its bytes. Throws <see cref="ModelLoadException"/> with ONNX
    /// Runtime's message when the model or the execution provider cannot be used.</summary>
    public static ModelSession Open(byte[] model, SessionSettings settings) => Open(options => new OrtSession(model, options), settings);

    public static ModelSession Open(string modelPath, SessionSettings settings) => Open(options => new OrtSession(modelPath, options), settings);

    private static ModelSession Open(Func<SessionOptions, OrtSession> create, SessionSettings settings)
    {
        _ = Runtime;
        using var options = new SessionOptions
        {
            IntraOpNumThreads = settings.IntraOpThreads,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        var provider = "cpu";
        string? fallback = null;
        if (settings.UseCuda)
        {
            var unavailable = CudaUnavailableReason(options, settings.CudaDeviceId);
            if (unavailable is null)
            {
                provider = "cuda";
            }
            else if (settings.CudaFallbackToCpu)
            {
                fallback = unavailable;
            }
            else
            {
                throw new ModelLoadException($"the CUDA execution provider cannot be used: {unavailable}", cudaUnavailable: true, null);
            }
        }

        try
        {
            return new ModelSession(create(options), provider, fallback);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelLoadException(e.Message, cudaUnavailable: false, e);
        }
    }

    /// <summary>Adds the CUDA execution provider to the options, or says why it cannot be.</summary>
    private static string? CudaUnavailableReason(SessionOptions options, int deviceId)
    {
        var providers = Runtime.GetAvailableProviders();
        if (!providers.Contains("CUDAExecutionProvider"))
        {
            return $"this ONNX Runtime build has no CUDA execution provider (it has {string.Join(", ", providers)}); build with -p:OnnxRuntimeGpu=true (Microsoft.ML.OnnxRuntime.Gpu.Linux) and run where CUDA and cuDNN are installed";
        }

        try
        {
            options.AppendExecutionProvider_CUDA(deviceId);
            return null;
        }
        catch (OnnxRuntimeException e)
        {
            return $"CUDA device {deviceId}: {e.Message}";
        }
    }

    /// <summary>Runs the model and returns one float output with its shape.</summary>
    public float[] Run(ReadOnlySpan<TensorInput> inputs, string outputName, out long[] outputShape)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var names = new string[inputs.Length];
        var values = new OrtValue[inputs.Length];
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                names[i] = _inputs.Contains(inputs[i].Name) ? inputs[i].Name
                    : throw new ArgumentException($"the model has no input named '{inputs[i].Name}' (inputs: {string.Join(", ", InputNames)}; outputs: {string.Join(", ", OutputNames)})");
                values[i] = inputs[i].ToOrtValue();
            }

            using var outputs = _session.Run(RunOptionsFor.Default, names, values, [outputName]);
            var output = outputs[0];
            outputShape = output.GetTensorTypeAndShape().Shape;
            return output.GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _session.Dispose();
        }
    }

    /// <summary>One RunOptions for every run: it carries no per-run state here.</summary>
    private static class RunOptionsFor
    {
        public static readonly RunOptions Default = new();
    }
}

/// <summary>How one session runs.</summary>
/// <param name="IntraOpThreads">Threads per inference; 0 lets ONNX Runtime choose.</param>
/// <param name="UseCuda">Ask for the CUDA execution provider (needs the GPU build, -p:OnnxRuntimeGpu=true).</param>
/// <param name="CudaDeviceId">The GPU to use.</param>
/// <param name="CudaFallbackToCpu">If CUDA cannot be used, run on CPU (and say why in
/// <see cref="ModelSession.FallbackReason"/>) instead of failing.</param>
public sealed record SessionSettings(int IntraOpThreads = 1, bool UseCuda = false, int CudaDeviceId = 0, bool CudaFallbackToCpu = false);
