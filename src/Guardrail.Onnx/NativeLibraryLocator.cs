namespace Guardrail.Onnx;

/// <summary>Finds libonnxruntime.so.1, or says exactly where it looked and how to install it.</summary>
public static class NativeLibraryLocator
{
    public const string FileName = "libonnxruntime.so.1";
    public const string EnvironmentVariable = "GUARDRAIL_ONNXRUNTIME";

    public static string Locate(string? configuredPath)
    {
        var candidates = Candidates(configuredPath).ToList();
        var found = candidates.FirstOrDefault(File.Exists);
        return found ?? throw new OnnxRuntimeException(
            $"ONNX Runtime's {FileName} was not found (looked at: {string.Join(", ", candidates)}). "
            + "Install it with `bash scripts/setup-onnxruntime.sh` (takes it from the npm package onnxruntime-node 1.30.0), "
            + $"or point {OnnxRuntimeOptions.Section}:{nameof(OnnxRuntimeOptions.LibraryPath)} or ${EnvironmentVariable} at it.");
    }

    private static IEnumerable<string> Candidates(string? configuredPath)
    {
        if (!string.IsNullOrEmpty(configuredPath))
        {
            yield return Path.GetFullPath(configuredPath);
            yield break; // an explicit setting is never second-guessed
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            yield return Path.GetFullPath(fromEnvironment);
        }

        yield return Path.Combine(AppContext.BaseDirectory, FileName);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            yield return Path.Combine(dir.FullName, ".tools", "onnxruntime", FileName);
        }
    }
}
