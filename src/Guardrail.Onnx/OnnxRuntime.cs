namespace Guardrail.Onnx;

/// <summary>
/// ONNX Runtime loaded into this process: the native library, its API table and the one OrtEnv
/// a process may have. Loaded once; sessions are opened from it.
/// </summary>
public sealed class OnnxRuntime
{
    private static readonly Lock Gate = new();
    private static OnnxRuntime? _loaded;

    private OnnxRuntime(OrtApi api, string libraryPath, nint env, nint cpuMemory)
    {
        Api = api;
        LibraryPath = libraryPath;
        Env = env;
        CpuMemory = cpuMemory;
    }

    /// <summary>ONNX Runtime's version, e.g. "1.30.0".</summary>
    public string Version => Api.Version;

    public string LibraryPath { get; }

    internal OrtApi Api { get; }

    internal nint Env { get; }

    internal nint CpuMemory { get; }

    /// <summary>Loads the library (see <see cref="NativeLibraryLocator"/>) the first time; later calls
    /// return the same runtime. Throws <see cref="OnnxRuntimeException"/> naming what to install.</summary>
    public static OnnxRuntime Load(string? libraryPath = null)
    {
        lock (Gate)
        {
            if (_loaded is not null)
            {
                return _loaded;
            }

            var path = NativeLibraryLocator.Locate(libraryPath);
            var api = OrtApi.Load(path);
            var env = api.CreateEnv(3 /* ORT_LOGGING_LEVEL_ERROR */, "guardrail");
            _loaded = new OnnxRuntime(api, path, env, api.CreateCpuMemoryInfo());
            return _loaded;
        }
    }

    public InferenceSession OpenSession(byte[] model, SessionSettings settings)
        => InferenceSession.Open(this, settings, options => Api.CreateSessionFromArray(Env, model, options));

    public InferenceSession OpenSession(string modelPath, SessionSettings settings)
        => InferenceSession.Open(this, settings, options => Api.CreateSession(Env, modelPath, options));
}

/// <summary>How one session runs.</summary>
/// <param name="IntraOpThreads">Threads per inference; 0 lets ORT choose.</param>
/// <param name="UseCuda">Ask for the CUDA execution provider.</param>
/// <param name="CudaDeviceId">The GPU to use.</param>
/// <param name="CudaFallbackToCpu">If CUDA cannot be used, run on CPU (and say why in
/// <see cref="InferenceSession.FallbackReason"/>) instead of failing.</param>
public sealed record SessionSettings(int IntraOpThreads = 1, bool UseCuda = false, int CudaDeviceId = 0, bool CudaFallbackToCpu = false);
