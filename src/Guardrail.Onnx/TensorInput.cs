using Microsoft.ML.OnnxRuntime;

namespace Guardrail.Onnx;

/// <summary>
/// A named input tensor over a managed array, pinned only while a run uses it. The tensor is the
/// array's first shape-product elements: a caller may reuse one array, longer than this run's
/// shape, for runs of varying shapes.
/// </summary>
public readonly struct TensorInput
{
    private readonly float[]? _floats;
    private readonly long[]? _longs;

    private TensorInput(string name, float[]? floats, long[]? longs, int available, long[] shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            count *= dim;
        }

        if (count > available)
        {
            throw new ArgumentException($"tensor '{name}' has shape [{string.Join(", ", shape)}] ({count} elements) but {available} values");
        }

        Name = name;
        _floats = floats;
        _longs = longs;
        Shape = shape;
        Length = count;
    }

    public string Name { get; }

    public long[] Shape { get; }

    /// <summary>Elements in the tensor (at most the array's length).</summary>
    public long Length { get; }

    public static TensorInput Float(string name, float[] data, params long[] shape) => new(name, data, null, data.Length, shape);

    public static TensorInput Int64(string name, long[] data, params long[] shape) => new(name, null, data, data.Length, shape);

    /// <summary>An OrtValue over the array's first <see cref="Length"/> elements (pinned until disposed).</summary>
    internal OrtValue ToOrtValue() => _floats is not null
        ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _floats.AsMemory(0, (int)Length), Shape)
        : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _longs.AsMemory(0, (int)Length), Shape);
}
