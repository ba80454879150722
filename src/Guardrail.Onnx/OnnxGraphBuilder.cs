using System.Runtime.InteropServices;
using Google.Protobuf;
using Guardrail.Onnx.Format;

namespace Guardrail.Onnx;

/// <summary>
/// Writes an ONNX model (our onnx.proto subset) node by node: typed inputs and outputs, float and
/// int64 initializers, standard operators from the default domain. A dimension may be a name
/// (symbolic, e.g. "batch"), so one model serves any batch size.
/// </summary>
public sealed class OnnxGraphBuilder(string graphName)
{
    private readonly GraphProto _graph = new() { Name = graphName };
    private int _nodes;

    public string Input(string name, bool int64, params Dim[] dims)
    {
        _graph.Input.Add(ValueInfo(name, int64, dims));
        return name;
    }

    public void Output(string name, params Dim[] dims) => _graph.Output.Add(ValueInfo(name, false, dims));

    public string Initializer(string name, ReadOnlySpan<float> values, params long[] dims)
        => AddInitializer(name, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(values), dims);

    public string Initializer(string name, ReadOnlySpan<long> values, params long[] dims)
        => AddInitializer(name, TensorProto.Types.DataType.Int64, MemoryMarshal.AsBytes(values), dims);

    /// <summary>Adds a node; attribute values may be float, long, int, float[] or long[].</summary>
    public string Node(string opType, string[] inputs, string output, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType.ToLowerInvariant()}_{_nodes++}" };
        node.Input.Add(inputs);
        node.Output.Add(output);
        foreach (var (name, value) in attributes)
        {
            node.Attribute.Add(value switch
            {
                float f => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = f },
                long i => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = i },
                int i => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = i },
                float[] fs => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats, Floats = { fs } },
                long[] ls => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints, Ints = { ls } },
                _ => throw new ArgumentException($"attribute {name}: unsupported type {value.GetType().Name}"),
            });
        }

        _graph.Node.Add(node);
        return output;
    }

    /// <summary>The model's bytes. Opset 17 (every operator used here exists there unchanged).</summary>
    public byte[] Build(string producerVersion, IReadOnlyDictionary<string, string>? metadata = null, int opset = 17)
    {
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "guardrail",
            ProducerVersion = producerVersion,
            Graph = _graph,
            OpsetImport = { new OperatorSetIdProto { Domain = string.Empty, Version = opset } },
        };
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model.ToByteArray();
    }

    private string AddInitializer(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> bytes, long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.Add(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    private static ValueInfoProto ValueInfo(string name, bool int64, Dim[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim.Name is { } symbol ? new TensorShapeProto.Types.Dimension { DimParam = symbol } : new TensorShapeProto.Types.Dimension { DimValue = dim.Size });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)(int64 ? TensorProto.Types.DataType.Int64 : TensorProto.Types.DataType.Float),
                    Shape = shape,
                },
            },
        };
    }
}

/// <summary>A tensor dimension: a fixed size, or a name for one known only at run time.</summary>
public readonly record struct Dim(long Size, string? Name)
{
    public static implicit operator Dim(long size) => new(size, null);

    public static implicit operator Dim(string name) => new(0, name);
}
