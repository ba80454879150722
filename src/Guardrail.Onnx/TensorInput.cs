namespace Guardrail.Onnx;

/// <summary>A named input tensor over a managed array, which is pinned only during the run.</summary>
public readonly struct TensorInput
{
    private TensorInput(string name, Array data, long[] shape, int elementType, int elementSize)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            count *= dim;
        }

        if (count != data.Length)
        {
            throw new ArgumentException($"tensor '{name}' has shape [{string.Join(", ", shape)}] ({count} elements) but {data.Length} values");
        }

        Name = name;
        Data = data;
        Shape = shape;
        ElementType = elementType;
        ElementSize = elementSize;
    }

    public string Name { get; }

    public Array Data { get; }

    public long[] Shape { get; }

    /// <summary>ONNXTensorElementDataType: 1 float, 7 int64.</summary>
    internal int ElementType { get; }

    internal int ElementSize { get; }

    public static TensorInput Float(string name, float[] data, params long[] shape) => new(name, data, shape, 1, sizeof(float));

    public static TensorInput Int64(string name, long[] data, params long[] shape) => new(name, data, shape, 7, sizeof(long));
}
