using Guardrail.Core.Screening;
using Guardrail.Detection.Encoder;
using Guardrail.Detection.Features;
using Guardrail.Detection.Models;
using Guardrail.Onnx;

namespace Guardrail.Detection.Detectors;

/// <summary>
/// Loads the ML models from the model folder through ONNX Runtime. Whatever fails (model file,
/// card) yields an <see cref="UnavailableModel"/> carrying the reason instead of
/// stopping the gateway: the cheap detectors keep working and verdicts say what did not run.
/// </summary>
public static class MlDetectors
{
    public const string InjectionModelFile = "injection-classifier";
    public const string SuffixModelFile = "adversarial-suffix";

    /// <summary>The encoder tier's injection classifier: injection-encoder.delta.onnx (our fine-tuned
    /// weights, composed with the MiniLM package's) and injection-encoder.card.json.</summary>
    public const string EncoderModelFile = "injection-encoder";

    public const string EncoderDeltaSuffix = ".delta.onnx";

    /// <summary>The version of a model nobody has named yet: a catalog entry before any worker
    /// registered the detector, or a model whose card cannot be read. Never a registry entry.</summary>
    public const string UnknownVersion = "unknown";

    /// <summary>The ML detectors this project has, in the order they report: what a gateway expects
    /// detector workers to serve.</summary>
    public static readonly IReadOnlyList<ModelDetector> Catalog =
    [
        new("injection-classifier", DetectorCategory.Injection, InjectionModelFile, UnknownVersion),
        new("adversarial-suffix", DetectorCategory.AdversarialSuffix, SuffixModelFile, UnknownVersion),
        new(DocumentInjection, DetectorCategory.Injection, InjectionModelFile, UnknownVersion, Channels: WindowClassifierDetector.DocumentChannels),
        new("injection-encoder", DetectorCategory.Injection, EncoderModelFile, UnknownVersion),
    ];

    /// <summary>The injection classifier read sentence by sentence, on documents and tool outputs.</summary>
    public const string DocumentInjection = "document-injection";

    /// <summary>The catalog as configured: without the encoder tier when it is off.</summary>
    public static IReadOnlyList<ModelDetector> Expected(DetectionOptions detection)
        => detection.EncoderLoaded ? Catalog : [.. Catalog.Where(d => d.Name != "injection-encoder")];

    public sealed record Loaded(IReadOnlyList<IScoringModel> Models, IReadOnlyList<string> Notes);

    public static Loaded Load(DetectionOptions detection, OnnxRuntimeOptions onnx)
    {
        var notes = new List<string> { $"ONNX Runtime {ModelSession.RuntimeVersion}" };
        var settings = new SessionSettings(onnx.IntraOpThreads, onnx.ExecutionProvider == "cuda", onnx.CudaDeviceId, onnx.CudaFallbackToCpu);
        IScoringModel Open(string file, string name, string category, Func<ModelCard, IWindowFeaturizer> featurizerFor)
        {
            var modelPath = Path.Combine(detection.ModelDirectory, file + ".onnx");
            var cardPath = Path.Combine(detection.ModelDirectory, file + ".card.json");
            ModelCard? card = null;
            try
            {
                card = ModelCard.Read(cardPath);
                var featurizer = featurizerFor(card); // a card for another kind or version fails here, before a native session is open
                var session = ModelSession.Open(modelPath, settings);
                if (featurizer is IBlockWindowFeaturizer && BlockScoring.Unsupported(session) is { } unsupported)
                {
                    session.Dispose();
                    return new UnavailableModel(name, category, card.Name, card.Version, $"cannot serve {modelPath}: {unsupported}");
                }

                if (session.FallbackReason is { } fallback)
                {
                    notes.Add($"{name}: CUDA unavailable, running on CPU: {fallback}");
                }

                notes.Add($"{name}: {card.Name}@{card.Version} on {session.ExecutionProvider}");
                return new WindowClassifierDetector(name, category, session, card, featurizer, detection.MaxBatch);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidDataException)
            {
                return new UnavailableModel(name, category, card?.Name ?? file, card?.Version ?? UnknownVersion, $"cannot read {file} from {detection.ModelDirectory}: {e.Message}");
            }
            catch (ModelLoadException e) when (!e.CudaUnavailable)
            {
                return new UnavailableModel(name, category, card?.Name ?? file, card?.Version ?? UnknownVersion, $"ONNX Runtime cannot load {modelPath}: {e.Message}");
            }
        }

        List<IScoringModel> models =
        [
            Open(InjectionModelFile, "injection-classifier", DetectorCategory.Injection, InjectionFeaturizerFor),
            Open(SuffixModelFile, "adversarial-suffix", DetectorCategory.AdversarialSuffix, SuffixFeaturizerFor),
        ];
        models.Add(models[0] is WindowClassifierDetector injection
            ? injection.ReadingSentences(DocumentInjection)
            : new UnavailableModel(DocumentInjection, DetectorCategory.Injection, models[0].Detector.Model, models[0].Detector.Version, models[0].Detector.UnavailableReason ?? "the injection classifier is not loaded", WindowClassifierDetector.DocumentChannels));
        if (detection.EncoderLoaded)
        {
            var encoder = OpenEncoder(detection, onnx, windowPicker: models[0].Detector.UnavailableReason is null ? models[0] : null);
            if (encoder is EncoderClassifier loaded)
            {
                notes.Add($"injection-encoder: {loaded.Card.Name}@{loaded.Card.Version} on {loaded.ExecutionProvider} ({detection.Encoder}{(detection.Encoder == "cascade" ? $", injection-classifier scores {detection.EncoderFrom}..{detection.EncoderBelow}" : "")})");
            }

            models.Add(encoder);
        }

        return new Loaded(models, notes);
    }

    /// <summary>The encoder tier's classifier from the model folder, or an <see cref="UnavailableModel"/> saying why not.</summary>
    /// <param name="windowPicker">The fast tier, which picks a long text's windows for the encoder.</param>
    public static IScoringModel OpenEncoder(DetectionOptions detection, OnnxRuntimeOptions onnx, MiniLmPackage? package = null, IScoringModel? windowPicker = null)
    {
        const string name = "injection-encoder";
        var deltaPath = Path.Combine(detection.ModelDirectory, EncoderModelFile + EncoderDeltaSuffix);
        var cardPath = Path.Combine(detection.ModelDirectory, EncoderModelFile + ".card.json");
        ModelCard? card = null;
        try
        {
            card = ModelCard.Read(cardPath);
            _ = EncoderClassifier.WindowsOf(card);
            var settings = new SessionSettings(onnx.IntraOpThreads, onnx.ExecutionProvider == "cuda", onnx.CudaDeviceId, onnx.CudaFallbackToCpu);
            return EncoderClassifier.Open(name, DetectorCategory.Injection, deltaPath, card, settings, detection.MaxBatch, package, detection.EncoderMaxWindows, windowPicker);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidDataException or Google.Protobuf.InvalidProtocolBufferException)
        {
            return new UnavailableModel(name, DetectorCategory.Injection, card?.Name ?? EncoderModelFile, card?.Version ?? UnknownVersion, $"cannot read {EncoderModelFile} from {detection.ModelDirectory}: {e.Message}");
        }
        catch (ModelLoadException e) when (!e.CudaUnavailable)
        {
            return new UnavailableModel(name, DetectorCategory.Injection, card?.Name ?? EncoderModelFile, card?.Version ?? UnknownVersion, $"ONNX Runtime cannot load the composed encoder: {e.Message}");
        }
    }

    /// <summary>The featuriser a card's hyperparameters describe: serving uses the training settings.</summary>
    public static InjectionFeaturizer InjectionFeaturizerFor(ModelCard card) => new(
        card.Hyperparameter("buckets"), card.Hyperparameter("max_features"), card.Hyperparameter("window_chars"), card.Hyperparameter("stride_chars"));

    public static SuffixFeaturizer SuffixFeaturizerFor(ModelCard card) => new(card.Hyperparameter("buckets"), card.Hyperparameter("block_chars"));
}
