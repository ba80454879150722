using System.Runtime.InteropServices;
using System.Text;

namespace Guardrail.Onnx;

/// <summary>
/// The OrtApi function table of one loaded libonnxruntime.so.1 (OrtGetApiBase()->GetApi(13)).
/// Entries are read by their index in struct OrtApi of onnxruntime_c_api.h; the table only grows at
/// its end, so version 13's indices hold in every later release. Every call that returns an
/// OrtStatus goes through <see cref="Check"/>, which turns it into an exception with ORT's message.
/// </summary>
internal sealed unsafe class OrtApi
{
    private const uint ApiVersion = 13;

    // Indices in struct OrtApi (onnxruntime_c_api.h).
    private const int GetErrorCodeIndex = 1;
    private const int GetErrorMessageIndex = 2;
    private const int CreateEnvIndex = 3;
    private const int CreateSessionIndex = 7;
    private const int CreateSessionFromArrayIndex = 8;
    private const int RunIndex = 9;
    private const int CreateSessionOptionsIndex = 10;
    private const int SetSessionGraphOptimizationLevelIndex = 23;
    private const int SetIntraOpNumThreadsIndex = 24;
    private const int SetInterOpNumThreadsIndex = 25;
    private const int SessionGetInputCountIndex = 30;
    private const int SessionGetOutputCountIndex = 31;
    private const int SessionGetInputNameIndex = 36;
    private const int SessionGetOutputNameIndex = 37;
    private const int CreateTensorWithDataAsOrtValueIndex = 49;
    private const int GetTensorMutableDataIndex = 51;
    private const int GetDimensionsCountIndex = 61;
    private const int GetDimensionsIndex = 62;
    private const int GetTensorTypeAndShapeIndex = 65;
    private const int CreateCpuMemoryInfoIndex = 69;
    private const int AllocatorFreeIndex = 76;
    private const int GetAllocatorWithDefaultOptionsIndex = 78;
    private const int ReleaseEnvIndex = 92;
    private const int ReleaseStatusIndex = 93;
    private const int ReleaseMemoryInfoIndex = 94;
    private const int ReleaseSessionIndex = 95;
    private const int ReleaseValueIndex = 96;
    private const int ReleaseTensorTypeAndShapeInfoIndex = 99;
    private const int ReleaseSessionOptionsIndex = 100;

    private readonly nint* _table;
    private readonly nint _appendCuda;

    private OrtApi(nint* table, nint appendCuda, string version)
    {
        _table = table;
        _appendCuda = appendCuda;
        Version = version;
    }

    /// <summary>ONNX Runtime's own version string, e.g. "1.30.0".</summary>
    public string Version { get; }

    public static OrtApi Load(string libraryPath)
    {
        nint library;
        try
        {
            library = NativeLibrary.Load(libraryPath);
        }
        catch (DllNotFoundException e)
        {
            throw new OnnxRuntimeException($"cannot load {libraryPath}: {e.Message}");
        }

        if (!NativeLibrary.TryGetExport(library, "OrtGetApiBase", out var getApiBaseExport))
        {
            throw new OnnxRuntimeException($"{libraryPath} does not export OrtGetApiBase: not an ONNX Runtime library");
        }

        var apiBase = ((delegate* unmanaged<nint*>)getApiBaseExport)();
        var getApi = (delegate* unmanaged<uint, nint*>)apiBase[0];
        var getVersion = (delegate* unmanaged<byte*>)apiBase[1];
        var version = Marshal.PtrToStringUTF8((nint)getVersion()) ?? "unknown";
        var table = getApi(ApiVersion);
        if (table is null)
        {
            throw new OnnxRuntimeException($"ONNX Runtime {version} at {libraryPath} does not serve API version {ApiVersion}");
        }

        NativeLibrary.TryGetExport(library, "OrtSessionOptionsAppendExecutionProvider_CUDA", out var appendCuda);
        return new OrtApi(table, appendCuda, version);
    }

    public void Check(nint status)
    {
        if (status == 0)
        {
            return;
        }

        var code = ((delegate* unmanaged<nint, int>)_table[GetErrorCodeIndex])(status);
        var message = Marshal.PtrToStringUTF8((nint)((delegate* unmanaged<nint, byte*>)_table[GetErrorMessageIndex])(status)) ?? "unknown error";
        ((delegate* unmanaged<nint, void>)_table[ReleaseStatusIndex])(status);
        throw new OnnxRuntimeException(message, code);
    }

    public nint CreateEnv(int logSeverity, string logId)
    {
        nint env;
        fixed (byte* id = Utf8(logId))
        {
            Check(((delegate* unmanaged<int, byte*, nint*, nint>)_table[CreateEnvIndex])(logSeverity, id, &env));
        }

        return env;
    }

    public nint CreateSessionOptions()
    {
        nint options;
        Check(((delegate* unmanaged<nint*, nint>)_table[CreateSessionOptionsIndex])(&options));
        return options;
    }

    public void SetGraphOptimizationLevel(nint options, int level)
        => Check(((delegate* unmanaged<nint, int, nint>)_table[SetSessionGraphOptimizationLevelIndex])(options, level));

    public void SetIntraOpThreads(nint options, int threads)
        => Check(((delegate* unmanaged<nint, int, nint>)_table[SetIntraOpNumThreadsIndex])(options, threads));

    public void SetInterOpThreads(nint options, int threads)
        => Check(((delegate* unmanaged<nint, int, nint>)_table[SetInterOpNumThreadsIndex])(options, threads));

    /// <summary>Asks for the CUDA execution provider. A CPU build answers with the reason (it cannot
    /// load libonnxruntime_providers_cuda.so); a build without the entry point says so.</summary>
    public void AppendCuda(nint options, int deviceId)
    {
        if (_appendCuda == 0)
        {
            throw new OnnxRuntimeException($"ONNX Runtime {Version} has no CUDA entry point (OrtSessionOptionsAppendExecutionProvider_CUDA)", 9);
        }

        Check(((delegate* unmanaged<nint, int, nint>)_appendCuda)(options, deviceId));
    }

    public nint CreateSession(nint env, string path, nint options)
    {
        nint session;
        fixed (byte* p = Utf8(path))
        {
            Check(((delegate* unmanaged<nint, byte*, nint, nint*, nint>)_table[CreateSessionIndex])(env, p, options, &session));
        }

        return session;
    }

    public nint CreateSessionFromArray(nint env, ReadOnlySpan<byte> model, nint options)
    {
        nint session;
        fixed (byte* data = model)
        {
            Check(((delegate* unmanaged<nint, byte*, nuint, nint, nint*, nint>)_table[CreateSessionFromArrayIndex])(env, data, (nuint)model.Length, options, &session));
        }

        return session;
    }

    public string[] InputNames(nint session) => Names(session, SessionGetInputCountIndex, SessionGetInputNameIndex);

    public string[] OutputNames(nint session) => Names(session, SessionGetOutputCountIndex, SessionGetOutputNameIndex);

    public nint CreateCpuMemoryInfo()
    {
        nint info;
        Check(((delegate* unmanaged<int, int, nint*, nint>)_table[CreateCpuMemoryInfoIndex])(0 /* OrtDeviceAllocator */, 0 /* OrtMemTypeDefault */, &info));
        return info;
    }

    /// <summary>A tensor over caller memory (no copy); the memory must stay pinned until released.</summary>
    public nint CreateTensor(nint memoryInfo, void* data, nuint bytes, ReadOnlySpan<long> shape, int elementType)
    {
        nint value;
        fixed (long* dims = shape)
        {
            Check(((delegate* unmanaged<nint, void*, nuint, long*, nuint, int, nint*, nint>)_table[CreateTensorWithDataAsOrtValueIndex])(
                memoryInfo, data, bytes, dims, (nuint)shape.Length, elementType, &value));
        }

        return value;
    }

    public void Run(nint session, byte** inputNames, nint* inputs, int inputCount, byte** outputNames, nint* outputs, int outputCount)
        => Check(((delegate* unmanaged<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint>)_table[RunIndex])(
            session, 0, inputNames, inputs, (nuint)inputCount, outputNames, (nuint)outputCount, outputs));

    public void* TensorData(nint value)
    {
        void* data;
        Check(((delegate* unmanaged<nint, void**, nint>)_table[GetTensorMutableDataIndex])(value, &data));
        return data;
    }

    public long[] TensorShape(nint value)
    {
        nint info;
        Check(((delegate* unmanaged<nint, nint*, nint>)_table[GetTensorTypeAndShapeIndex])(value, &info));
        try
        {
            nuint count;
            Check(((delegate* unmanaged<nint, nuint*, nint>)_table[GetDimensionsCountIndex])(info, &count));
            var dims = new long[(int)count];
            fixed (long* d = dims)
            {
                Check(((delegate* unmanaged<nint, long*, nuint, nint>)_table[GetDimensionsIndex])(info, d, count));
            }

            return dims;
        }
        finally
        {
            ((delegate* unmanaged<nint, void>)_table[ReleaseTensorTypeAndShapeInfoIndex])(info);
        }
    }

    public void ReleaseEnv(nint handle) => Release(ReleaseEnvIndex, handle);

    public void ReleaseSession(nint handle) => Release(ReleaseSessionIndex, handle);

    public void ReleaseSessionOptions(nint handle) => Release(ReleaseSessionOptionsIndex, handle);

    public void ReleaseMemoryInfo(nint handle) => Release(ReleaseMemoryInfoIndex, handle);

    public void ReleaseValue(nint handle) => Release(ReleaseValueIndex, handle);

    /// <summary>The text as a NUL-terminated UTF-8 array, for names and paths passed to ORT.</summary>
    public static byte[] Utf8(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    private void Release(int index, nint handle)
    {
        if (handle != 0)
        {
            ((delegate* unmanaged<nint, void>)_table[index])(handle);
        }
    }

    private string[] Names(nint session, int countIndex, int nameIndex)
    {
        nuint count;
        Check(((delegate* unmanaged<nint, nuint*, nint>)_table[countIndex])(session, &count));
        nint allocator;
        Check(((delegate* unmanaged<nint*, nint>)_table[GetAllocatorWithDefaultOptionsIndex])(&allocator));
        var names = new string[(int)count];
        for (var i = 0; i < names.Length; i++)
        {
            byte* name;
            Check(((delegate* unmanaged<nint, nuint, nint, byte**, nint>)_table[nameIndex])(session, (nuint)i, allocator, &name));
            names[i] = Marshal.PtrToStringUTF8((nint)name) ?? string.Empty;
            Check(((delegate* unmanaged<nint, void*, nint>)_table[AllocatorFreeIndex])(allocator, name));
        }

        return names;
    }
}
