using System.Text.Json;
using System.Text.Json.Serialization;

namespace Guardrail.Detection.Models;

/// <summary>What a shipped model is and how it was made and measured; written next to the .onnx file.</summary>
public sealed record ModelCard
{
    public required string Name { get; init; }

    public required string Version { get; init; }

    public required string Kind { get; init; }

    /// <summary>SHA-256 of the training recipe's entries and their files' bytes, in order.</summary>
    public required string DataDigest { get; init; }

    public required IReadOnlyList<string> TrainingFiles { get; init; }

    public required IReadOnlyList<string> HeldOutFiles { get; init; }

    /// <summary>Whole benign sources, held aside from training, that set the flag and block points
    /// (everyday prompts, then look-alikes); none for a model calibrated on a validation tenth.</summary>
    public IReadOnlyList<string>? CalibrationFiles { get; init; }

    public required ScoreCalibration Calibration { get; init; }

    /// <summary>The injection classifier read sentence by sentence (the document-injection
    /// detector): the raw logits of a document's best sentence at which clean documents are flagged
    /// 1 % and 0.1 % of the time; null where the model has none (that detector is then unavailable).</summary>
    public ScoreCalibration? SegmentCalibration { get; init; }

    /// <summary>The clean documents <see cref="SegmentCalibration"/> was set on.</summary>
    public IReadOnlyList<string>? SegmentCalibrationFiles { get; init; }

    public required IReadOnlyDictionary<string, double> Hyperparameters { get; init; }

    /// <summary>A hyperparameter serving needs. A card without it was written for another model kind
    /// or an older version: that is invalid data, reported as the model's unavailable reason.</summary>
    public int Hyperparameter(string name) => Hyperparameters.TryGetValue(name, out var value)
        ? (int)value
        : throw new InvalidDataException($"model card {Name}@{Version} has no hyperparameter '{name}' (written for another model kind or version: retrain or replace it)");

    /// <summary>Metrics on the calibration sources (or the internal validation split) and on the held-out files.</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>The pretrained model a delta is composed with (encoder tier); null for models we train whole.</summary>
    public BaseModel? BaseModel { get; init; }

    /// <summary>What the training run saw and did beyond the recipe's files (fine-tuning script settings,
    /// per-epoch loss, device and time), as the run reported it.</summary>
    public IReadOnlyDictionary<string, string>? Training { get; init; }

    /// <summary>Training rows the trainer synthesised (padded copies, synthetic suffixes); null: none.</summary>
    public IReadOnlyList<SynthesisedData>? Synthesised { get; init; }

    /// <summary>The recipe measured source by source, each by a model that never saw it; null: not measured into the card.</summary>
    public LeaveOneSourceOutTable? LeaveOneSourceOut { get; init; }

    /// <summary>SHA-256 of the .onnx file the card describes.</summary>
    public required string ModelSha256 { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ModelCard Read(string path)
        => JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(path), Json)
           ?? throw new InvalidDataException($"{path} is not a model card");
}

/// <summary>A pretrained model restored as a package, recorded so a delta is never composed with other weights.</summary>
public sealed record BaseModel(string Package, string Version, string Resource, string Sha256);
