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

    /// <summary>
    /// Reads one recipe entry under <paramref name="dataDirectory"/>: "folder/file.jsonl", or with
    /// "#sources=A,B" only the rows whose source starts with A or B, or with "#except=A,B" all the
    /// others. A file that bundles several origins (promptshield_benign: Dolly, UltraChat, LMSYS, ...)
    /// can so train on some sources and hold out the rest: a source is never on both sides.
    /// </summary>
    public static List<LabeledText> ReadEntry(string dataDirectory, string entry)
    {
        var (file, keep) = ParseEntry(entry);
        return [.. Read(Path.Combine(dataDirectory, file)).Where(r => keep(r.Source))];
    }

    /// <summary>The file an entry reads.</summary>
    public static string EntryFile(string entry) => ParseEntry(entry).File;

    /// <summary>SHA-256 over the entries and their files' bytes, in the given order: the model card's data digest.</summary>
    public static string Digest(string dataDirectory, IEnumerable<string> entries)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var entry in entries)
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(entry + "\n"));
            sha.AppendData(File.ReadAllBytes(Path.Combine(dataDirectory, EntryFile(entry))));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static (string File, Func<string, bool> Keep) ParseEntry(string entry)
    {
        var hash = entry.IndexOf('#', StringComparison.Ordinal);
        if (hash < 0)
        {
            return (entry, _ => true);
        }

        var (file, filter) = (entry[..hash], entry[(hash + 1)..]);
        var equals = filter.IndexOf('=', StringComparison.Ordinal);
        var prefixes = equals < 0 ? [] : filter[(equals + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        bool Listed(string source) => prefixes.Any(p => source.StartsWith(p, StringComparison.Ordinal));
        return (equals < 0 ? "" : filter[..equals]) switch
        {
            "sources" when prefixes.Length > 0 => (file, Listed),
            "except" when prefixes.Length > 0 => (file, source => !Listed(source)),
            _ => throw new InvalidDataException($"recipe entry {entry}: after # write sources=A,B or except=A,B"),
        };
    }
}
