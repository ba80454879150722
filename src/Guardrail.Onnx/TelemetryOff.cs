using System.Runtime.InteropServices;

namespace Guardrail.Onnx;

/// <summary>
/// Keeps ONNX Runtime from starting its telemetry client. The Microsoft.ML.OnnxRuntime 1.30.0
/// native library starts one when the environment is created (it writes a device id and an event
/// database under ~/.cache/Microsoft/DeveloperTools/.onnxruntime and would send them) unless
/// ORT_DISABLE_TELEMETRY=1 is in the process environment. The images and the chart set it; for
/// every other start (dotnet run, the CLI, the tests) it is set here, in the native environment
/// ONNX Runtime reads with getenv, before ONNX Runtime loads. .NET's
/// Environment.SetEnvironmentVariable changes only the managed copy on Linux, hence libc's setenv.
/// </summary>
internal static partial class TelemetryOff
{
    public const string Variable = "ORT_DISABLE_TELEMETRY";

    public static void EnsureBeforeLoad()
    {
        if (Environment.GetEnvironmentVariable(Variable) == "1")
        {
            return;
        }

        if (!OperatingSystem.IsWindows() && SetEnv(Variable, "1", 1) != 0)
        {
            throw new InvalidOperationException($"could not set {Variable}=1 in the process environment (errno {Marshal.GetLastPInvokeError()}); start the process with it set");
        }

        Environment.SetEnvironmentVariable(Variable, "1"); // the managed copy, for child processes and readers
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
