namespace Guardrail.Detection.Detectors;

/// <summary>The ML detectors (section "Guardrail:Detection").</summary>
public sealed class DetectionOptions
{
    public const string Section = "Guardrail:Detection";

    /// <summary>Run the ML detectors. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Folder with injection-classifier.onnx, adversarial-suffix.onnx and their .card.json.
    /// Default: "models" in the application folder (the gateway ships the repository's models/ there).</summary>
    public string ModelDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>Comma-separated ML detectors that run in shadow: scored and reported with status
    /// SHADOW, never changing a verdict. Default none: a detector is enforced once its flag point,
    /// set on benign sources held aside, flags at most 1 % of everyday prompts and 3 % of look-alikes
    /// from sources it never saw (see the README). The suffix model 3.2.0 does alone; the injection
    /// classifier does with the encoder tier re-deciding what it is unsure of (cascade), not alone
    /// (1.7 % and 17 %): with Encoder=off, put it here.</summary>
    public string Shadow { get; set; } = "";

    public IReadOnlySet<string> ShadowSet => Shadow.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();

    /// <summary>The encoder tier (injection-encoder: MiniLM with our fine-tuned top layers):
    /// "cascade" scores only the texts the n-gram injection classifier scores in
    /// [<see cref="EncoderFrom"/>, <see cref="EncoderBelow"/>) and decides those; "all" scores every
    /// text (where a GPU worker serves it); "off" does not load it. Default "cascade".</summary>
    public string Encoder { get; set; } = "cascade";

    /// <summary>The lowest injection-classifier score the encoder re-decides. Default 0.05.</summary>
    public float EncoderFrom { get; set; } = 0.05f;

    /// <summary>From this injection-classifier score on, the n-gram model's verdict stands. Default 0.8 (its block point).</summary>
    public float EncoderBelow { get; set; } = 0.8f;

    /// <summary>Most 512-character windows of one text the encoder scores (about 20 ms each on one
    /// CPU core); a longer document's windows are the ones the n-gram classifier finds most
    /// suspicious. Default 8.</summary>
    public int EncoderMaxWindows { get; set; } = 8;

    public bool EncoderLoaded => Encoder != "off";

    /// <summary>The cascade the pipeline applies, or none.</summary>
    public IReadOnlyList<Core.Screening.ModelCascade> Cascades => Encoder == "off"
        ? []
        : [new("injection-classifier", "injection-encoder", EncoderFrom, EncoderBelow, Always: Encoder == "all")];

    /// <summary>Most rows (windows or chunks) in one inference batch. Default 64.</summary>
    public int MaxBatch { get; set; } = 64;

    public IEnumerable<string> Validate()
    {
        if (MaxBatch is < 1 or > 4096)
        {
            yield return $"{Section}:{nameof(MaxBatch)} must be between 1 and 4096 (was {MaxBatch}).";
        }

        if (EncoderMaxWindows < 1)
        {
            yield return $"{Section}:{nameof(EncoderMaxWindows)} must be at least 1 (was {EncoderMaxWindows}).";
        }

        if (Encoder is not ("cascade" or "all" or "off"))
        {
            yield return $"{Section}:{nameof(Encoder)} must be cascade, all or off (was '{Encoder}').";
        }

        if (!(EncoderFrom >= 0 && EncoderFrom <= EncoderBelow && EncoderBelow <= 1))
        {
            yield return $"{Section}:{nameof(EncoderFrom)} and {nameof(EncoderBelow)} must satisfy 0 <= from <= below <= 1 (were {EncoderFrom} and {EncoderBelow}).";
        }
    }
}
