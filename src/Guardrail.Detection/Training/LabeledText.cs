using System.Security.Cryptography;
using System.Text.Json;

namespace Guardrail.Detection.Training;

/// <summary>One row of the training data (../shared/data: JSONL with text, label, source, ...).</summary>
public sealed record LabeledText(string Text, int Label, string Source, string File, bool MarkerFlag = false, string? Suffix = null);

public static class TrainingData
{
    /// <summary>Reads a JSONL file; every row needs text and label (0 or 1).</summary>
    public static List<LabeledText> Read(string path)
    {
        var rows = new List<LabeledText>();
        var file = Path.GetFileNameWithoutExtension(path);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            if (!root.TryGetProperty("text", out var text) || !root.TryGetProperty("label", out var label) || label.GetInt32() is not (0 or 1))
            {
                throw new InvalidDataException($"{path}:{lineNumber}: each line needs \"text\" and \"label\" (0 or 1)");
            }

            rows.Add(new LabeledText(
                text.GetString() ?? string.Empty,
                label.GetInt32(),
                root.TryGetProperty("source", out var source) ? source.GetString() ?? file : file,
                file,
                root.TryGetProperty("marker_flag", out var marker) && marker.ValueKind == JsonValueKind.True,
                root.TryGetProperty("suffix", out var suffix) ? suffix.GetString() : null));
        }

        return rows;
    }

    /// <summary>SHA-256 over the files' names and bytes, in the given order: the model card's data digest.</summary>
    public static string Digest(IEnumerable<string> paths)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in paths)
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(path) + "\n"));
            sha.AppendData(File.ReadAllBytes(path));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
