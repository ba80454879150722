using System.Runtime.InteropServices;
using Google.Protobuf;
using Guardrail.Onnx.Format;

namespace Guardrail.Onnx.Tests;

/// <summary>A fine-tuned delta composed with base weights: what ONNX Runtime then computes.</summary>
public class WeightDeltaTests
{
    /// <summary>y = x·W + b with x [batch, 2], W [2, 1].</summary>
    private static byte[] Linear(float[] w)
    {
        var g = new OnnxGraphBuilder("linear");
        g.Input("x", false, "batch", 2);
        g.Initializer("w", w, 2, 1);
        g.Initializer("b", [0.5f], 1);
        g.Node("MatMul", ["x", "w"], "xw");
        g.Node("Add", ["xw", "b"], "y");
        g.Output("y", "batch", 1);
        return g.Build("test");
    }

    private static byte[] Delta(params TensorProto[] tensors)
    {
        var graph = new GraphProto { Name = "delta" };
        graph.Initializer.Add(tensors);
        return new ModelProto { IrVersion = 8, Graph = graph }.ToByteArray();
    }

    private static TensorProto Half16(string name, float[] values, params long[] dims)
    {
        var halves = values.Select(v => (Half)v).ToArray();
        var tensor = new TensorProto { Name = name, DataType = 10, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(halves.AsSpan())) };
        tensor.Dims.Add(dims);
        return tensor;
    }

    private static TensorProto Float32(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = 1, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.Add(dims);
        return tensor;
    }

    [Fact]
    public void An_fp16_delta_is_added_to_its_base_initializer_and_other_tensors_come_back_as_extras()
    {
        var composed = WeightDelta.Compose(Linear([1f, 2f]), Delta(Half16("w", [0.5f, -1f], 2, 1), Float32("head.bias", [3f], 1)));
        Assert.Equal(1, composed.Changed);
        Assert.Equal([3f], composed.Extras["head.bias"]);
        using var session = ModelSession.Open(composed.Model, new SessionSettings());
        var y = session.Run([TensorInput.Float("x", [1f, 1f], 1, 2)], "y", out _);
        Assert.Equal(1.5f + 1f + 0.5f, y[0], 4); // (1+0.5)·1 + (2-1)·1 + 0.5
    }

    [Fact]
    public void A_delta_for_another_shape_is_refused_naming_the_tensor()
    {
        var error = Assert.Throws<InvalidDataException>(() => WeightDelta.Compose(Linear([1f, 2f]), Delta(Half16("w", [1f, 1f, 1f], 3, 1))));
        Assert.Contains("delta tensor w [3,1]", error.Message);
    }

    [Fact]
    public void A_tensor_of_another_type_is_refused()
    {
        var tensor = new TensorProto { Name = "w", DataType = 7, RawData = ByteString.CopyFrom(new byte[16]) };
        tensor.Dims.Add([2, 1]);
        Assert.Throws<InvalidDataException>(() => WeightDelta.Compose(Linear([1f, 2f]), Delta(tensor)));
    }
}
