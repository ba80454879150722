using System.Runtime.InteropServices;

namespace Guardrail.Onnx;

/// <summary>
/// One loaded model. <see cref="Run"/> is safe to call from many threads at once (ORT sessions
/// are). Inputs are passed without copying (pinned managed arrays); every native handle made for
/// a run is released before it returns, and the session's own on <see cref="Dispose"/>.
/// </summary>
public sealed unsafe class InferenceSession : IDisposable
{
    private readonly OnnxRuntime _runtime;
    private readonly Dictionary<string, nint> _names = new(StringComparer.Ordinal);
    private nint _session;

    private InferenceSession(OnnxRuntime runtime, nint session, string executionProvider, string? fallbackReason)
    {
        _runtime = runtime;
        _session = session;
        ExecutionProvider = executionProvider;
        FallbackReason = fallbackReason;
        InputNames = runtime.Api.InputNames(session);
        OutputNames = runtime.Api.OutputNames(session);
        foreach (var name in InputNames.Concat(OutputNames))
        {
            _names[name] = Marshal.StringToCoTaskMemUTF8(name);
        }
    }

    ~InferenceSession() => Release();

    public IReadOnlyList<string> InputNames { get; }

    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>"cpu" or "cuda": where this session runs.</summary>
    public string ExecutionProvider { get; }

    /// <summary>Why CUDA was asked for but CPU is used, when <see cref="SessionSettings.CudaFallbackToCpu"/> allowed it.</summary>
    public string? FallbackReason { get; }

    internal static InferenceSession Open(OnnxRuntime runtime, SessionSettings settings, Func<nint, nint> create)
    {
        var api = runtime.Api;
        var options = api.CreateSessionOptions();
        try
        {
            api.SetIntraOpThreads(options, settings.IntraOpThreads);
            api.SetInterOpThreads(options, 1);
            api.SetGraphOptimizationLevel(options, 99 /* ORT_ENABLE_ALL */);
            var provider = "cpu";
            string? fallback = null;
            if (settings.UseCuda)
            {
                try
                {
                    api.AppendCuda(options, settings.CudaDeviceId);
                    provider = "cuda";
                }
                catch (OnnxRuntimeException e) when (settings.CudaFallbackToCpu)
                {
                    fallback = e.Message;
                }
                catch (OnnxRuntimeException e)
                {
                    throw new OnnxRuntimeException($"the CUDA execution provider cannot be used: {e.Message}", e.ErrorCode);
                }
            }

            return new InferenceSession(runtime, create(options), provider, fallback);
        }
        finally
        {
            api.ReleaseSessionOptions(options);
        }
    }

    /// <summary>Runs the model and returns one float output with its shape.</summary>
    public float[] Run(ReadOnlySpan<TensorInput> inputs, string outputName, out long[] outputShape)
    {
        ObjectDisposedException.ThrowIf(_session == 0, this);
        var api = _runtime.Api;
        var pins = new GCHandle[inputs.Length];
        var values = stackalloc nint[inputs.Length];
        var inputNames = stackalloc byte*[inputs.Length];
        nint output = 0;
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                var input = inputs[i];
                inputNames[i] = (byte*)NameOf(input.Name);
                pins[i] = GCHandle.Alloc(input.Data, GCHandleType.Pinned);
                values[i] = api.CreateTensor(_runtime.CpuMemory, (void*)pins[i].AddrOfPinnedObject(),
                    (nuint)(input.Length * input.ElementSize), input.Shape, input.ElementType);
            }

            var outputNamePointer = (byte*)NameOf(outputName);
            api.Run(_session, inputNames, values, inputs.Length, &outputNamePointer, &output, 1);
            outputShape = api.TensorShape(output);
            long count = 1;
            foreach (var dim in outputShape)
            {
                count *= dim;
            }

            var result = new float[count];
            new ReadOnlySpan<float>(api.TensorData(output), (int)count).CopyTo(result);
            return result;
        }
        finally
        {
            api.ReleaseValue(output);
            for (var i = 0; i < inputs.Length; i++)
            {
                api.ReleaseValue(values[i]);
                if (pins[i].IsAllocated)
                {
                    pins[i].Free();
                }
            }
        }
    }

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private nint NameOf(string name)
        => _names.TryGetValue(name, out var pointer)
            ? pointer
            : throw new ArgumentException($"the model has no input or output named '{name}' (inputs: {string.Join(", ", InputNames)}; outputs: {string.Join(", ", OutputNames)})");

    private void Release()
    {
        var session = Interlocked.Exchange(ref _session, 0);
        if (session == 0)
        {
            return;
        }

        _runtime.Api.ReleaseSession(session);
        foreach (var pointer in _names.Values)
        {
            Marshal.FreeCoTaskMem(pointer);
        }
    }
}
