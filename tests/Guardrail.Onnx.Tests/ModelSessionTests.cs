namespace Guardrail.Onnx.Tests;

/// <summary>Sessions on the real ONNX Runtime (the Microsoft.ML.OnnxRuntime package), on models
/// written by <see cref="OnnxGraphBuilder"/>.</summary>
public class ModelSessionTests
{
    /// <summary>y = sigmoid(x·W + b) with x [batch, 3], W [3, 2].</summary>
    private static byte[] LinearSigmoid(float[] w, float[] b)
    {
        var g = new OnnxGraphBuilder("linear");
        g.Input("x", false, "batch", 3);
        g.Initializer("w", w, 3, 2);
        g.Initializer("b", b, 2);
        g.Node("Gemm", ["x", "w", "b"], "z");
        g.Node("Sigmoid", ["z"], "y");
        g.Output("y", "batch", 2);
        return g.Build("test");
    }

    [Fact]
    public void Runs_on_the_pinned_onnx_runtime_version()
    {
        // 1.31.x carries a telemetry client; a change of the pin must be deliberate.
        Assert.Equal("1.30.0", ModelSession.RuntimeVersion);
    }

    [Fact]
    public void Runs_a_batched_float_model_and_matches_the_arithmetic()
    {
        float[] w = [0.5f, -1f, 2f, 0.25f, -0.5f, 1f];
        float[] b = [0.1f, -0.2f];
        using var session = ModelSession.Open(LinearSigmoid(w, b), new SessionSettings());
        Assert.Equal(["x"], session.InputNames);
        Assert.Equal(["y"], session.OutputNames);
        float[] x = [1, 2, 3, -1, 0, 4];
        var y = session.Run([TensorInput.Float("x", x, 2, 3)], "y", out var shape);
        Assert.Equal([2L, 2L], shape);
        for (var row = 0; row < 2; row++)
        {
            for (var col = 0; col < 2; col++)
            {
                var z = b[col];
                for (var k = 0; k < 3; k++)
                {
                    z += x[(row * 3) + k] * w[(k * 2) + col];
                }

                Assert.Equal(1 / (1 + MathF.Exp(-z)), y[(row * 2) + col], 5);
            }
        }
    }

    [Fact]
    public void Runs_int64_gathers_and_many_threads_at_once()
    {
        var g = new OnnxGraphBuilder("lookup");
        g.Input("ids", true, "batch", 4);
        g.Initializer("table", Enumerable.Range(0, 10).Select(i => (float)i * i).ToArray(), 10);
        g.Node("Gather", ["table", "ids"], "values", ("axis", 0L));
        g.Node("ReduceSum", ["values", g.Initializer("axes", [1L], 1)], "sum", ("keepdims", 0L));
        g.Output("sum", "batch");
        using var session = ModelSession.Open(g.Build("test"), new SessionSettings());
        Parallel.For(0, 200, i =>
        {
            long[] ids = [i % 10, 1, 2, 3];
            var sum = session.Run([TensorInput.Int64("ids", ids, 1, 4)], "sum", out _);
            Assert.Equal((i % 10 * (i % 10)) + 1 + 4 + 9, sum[0]);
        });

        // A longer (reused) array: the tensor is its first shape-product values, the rest unread.
        var reused = session.Run([TensorInput.Int64("ids", [2, 1, 2, 3, 9, 9, 9, 9], 1, 4)], "sum", out var shape);
        Assert.Equal([1L], shape);
        Assert.Equal(4 + 1 + 4 + 9, reused[0]);
    }

    [Fact]
    public void Ort_errors_carry_its_message()
    {
        var invalid = Assert.Throws<ModelLoadException>(() => ModelSession.Open("not a model"u8.ToArray(), new SessionSettings()));
        Assert.Contains("protobuf", invalid.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(invalid.CudaUnavailable);

        using var session = ModelSession.Open(LinearSigmoid(new float[6], new float[2]), new SessionSettings());
        var badShape = Assert.Throws<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(() => session.Run([TensorInput.Float("x", new float[4], 1, 4)], "y", out _));
        Assert.Contains("dimension", badShape.Message, StringComparison.OrdinalIgnoreCase);
        var badName = Assert.Throws<ArgumentException>(() => session.Run([TensorInput.Float("nope", new float[3], 1, 3)], "y", out _));
        Assert.Contains("inputs: x", badName.Message);
        Assert.Throws<ArgumentException>(() => TensorInput.Float("x", new float[5], 2, 3));
    }

    [Fact]
    public void Cuda_where_it_is_absent_is_a_clear_error_or_a_reported_fallback()
    {
        var model = LinearSigmoid(new float[6], new float[2]);
        var error = Assert.Throws<ModelLoadException>(() => ModelSession.Open(model, new SessionSettings(UseCuda: true)));
        Assert.True(error.CudaUnavailable);
        Assert.Contains("CUDA execution provider cannot be used", error.Message);
        Assert.Contains("OnnxRuntimeGpu", error.Message);

        using var fallback = ModelSession.Open(model, new SessionSettings(UseCuda: true, CudaFallbackToCpu: true));
        Assert.Equal("cpu", fallback.ExecutionProvider);
        Assert.False(string.IsNullOrEmpty(fallback.FallbackReason));
        Assert.Equal(0.5f, fallback.Run([TensorInput.Float("x", new float[3], 1, 3)], "y", out _)[0]);
    }

    [Fact]
    public void A_disposed_session_refuses_to_run()
    {
        var session = ModelSession.Open(LinearSigmoid(new float[6], new float[2]), new SessionSettings());
        session.Dispose();
        session.Dispose(); // twice is fine
        Assert.Throws<ObjectDisposedException>(() => session.Run([TensorInput.Float("x", new float[3], 1, 3)], "y", out _));
    }
}
