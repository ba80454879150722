namespace Guardrail.Onnx;

/// <summary>
/// A named input tensor over a managed array, which is pinned only during the run. The tensor is
/// the array's first shape-product elements: a caller may reuse one array, longer than this run's
/// shape, for runs of varying shapes.
/// </summary>
public readonly struct TensorInput
{
    private TensorInput(string name, Array data, long[] shape, int elementType, int elementSize)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            count *= dim;
        }

        if (count > data.Length)
        {
            throw new ArgumentException($"tensor '{name}' has shape [{string.Join(", ", shape)}] ({count} elements) but {data.Length} values");
        }

        Name = name;
        Data = data;
        Shape = shape;
        Length = count;
        ElementType = elementType;
        ElementSize = elementSize;
    }

    public string Name { get; }

    public Array Data { get; }

    public long[] Shape { get; }

    /// <summary>Elements in the tensor (at most the array's length).</summary>
    public long Length { get; }

    /// <summary>ONNXTensorElementDataType: 1 float, 7 int64.</summary>
    internal int ElementType { get; }

    internal int ElementSize { get; }

    public static TensorInput Float(string name, float[] data, params long[] shape) => new(name, data, shape, 1, sizeof(float));

    public static TensorInput Int64(string name, long[] data, params long[] shape) => new(name, data, shape, 7, sizeof(long));
}
