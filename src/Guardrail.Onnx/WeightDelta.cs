using System.Runtime.InteropServices;
using Google.Protobuf;
using Guardrail.Onnx.Format;

namespace Guardrail.Onnx;

/// <summary>
/// A fine-tuned model shipped as a delta over a pretrained graph we do not ship: an ONNX file whose
/// initializers are tuned-minus-base values (fp16 or fp32) named as the base graph's initializers,
/// plus extra tensors of our own (a classification head) that the base graph does not have.
/// <see cref="Compose"/> adds each delta to its base initializer (fp32) and returns the model bytes
/// ONNX Runtime loads, and the extra tensors.
/// </summary>
public static class WeightDelta
{
    public sealed record Composed(byte[] Model, IReadOnlyDictionary<string, float[]> Extras, int Changed);

    public static Composed Compose(byte[] baseModel, byte[] delta)
    {
        var model = ModelProto.Parser.ParseFrom(baseModel);
        var initializers = model.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var extras = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var changed = 0;
        foreach (var tensor in ModelProto.Parser.ParseFrom(delta).Graph.Initializer)
        {
            var values = Floats(tensor);
            if (!initializers.TryGetValue(tensor.Name, out var target))
            {
                extras[tensor.Name] = values;
                continue;
            }

            if (target.DataType != (int)TensorProto.Types.DataType.Float || !target.Dims.SequenceEqual(tensor.Dims))
            {
                throw new InvalidDataException($"delta tensor {tensor.Name} [{string.Join(",", tensor.Dims)}] does not fit the base initializer [{string.Join(",", target.Dims)}] of type {target.DataType} (a delta for another base model?)");
            }

            var sum = Floats(target);
            if (sum.Length != values.Length)
            {
                throw new InvalidDataException($"base initializer {tensor.Name} holds {sum.Length} values in raw_data, its delta {values.Length}");
            }

            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += values[i];
            }

            target.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(sum.AsSpan()));
            changed++;
        }

        return new Composed(model.ToByteArray(), extras, changed);
    }

    /// <summary>A float32 or float16 tensor's values as float32 (raw_data, little-endian).</summary>
    private static float[] Floats(TensorProto tensor)
    {
        var raw = tensor.RawData.Span;
        return tensor.DataType switch
        {
            (int)TensorProto.Types.DataType.Float => MemoryMarshal.Cast<byte, float>(raw).ToArray(),
            Float16 => [.. MemoryMarshal.Cast<byte, Half>(raw).ToArray().Select(h => (float)h)],
            _ => throw new InvalidDataException($"tensor {tensor.Name}: data type {tensor.DataType} is neither float32 nor float16 in raw_data"),
        };
    }

    /// <summary>TensorProto.DataType FLOAT16 (onnx.proto), absent from our subset's enum.</summary>
    private const int Float16 = 10;
}
