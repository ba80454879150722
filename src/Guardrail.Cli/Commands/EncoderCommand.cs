using System.CommandLine;
using Guardrail.Detection.Detectors;
using Guardrail.Detection.Encoder;
using Guardrail.Detection.Training;

namespace Guardrail.Cli.Commands;

/// <summary>
/// guardrailctl encoder: the C# side of fine-tuning the injection encoder (README, "The encoder
/// tier"). export writes the package's base graph and the tokenised training windows for
/// training/encoder/finetune.py; package composes the delta it writes with the base weights,
/// calibrates the result on held-aside sources through the serving code and writes the model card.
/// </summary>
public static class EncoderCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "the training data (the folder holding set1_...)", DefaultValueFactory = _ => Path.Combine("..", "shared", "data", "train") };
        var work = new Option<string>("--work") { Description = "the fine-tuning folder (base.onnx, examples.jsonl; the script's checkpoints and delta)", Required = true };
        var models = new Option<string>("--models") { Description = "the model folder (its n-gram injection model picks an attack's window)", DefaultValueFactory = _ => ModelScorers.DefaultModelDirectory() };
        var export = new Command("export", "write the base encoder graph and the tokenised fine-tuning windows") { dataDir, work, models };
        export.SetAction(parse => TerminalProgress.Run("encoder export", quiet: false, progress =>
            Export(parse.GetValue(dataDir)!, parse.GetValue(work)!, parse.GetValue(models)!, progress)));
        var version = new Option<string>("--version") { Description = "the model's version", Required = true };
        var output = new Option<string>("--out") { Description = "where the delta, card and parity file go", DefaultValueFactory = _ => "models" };
        var package = new Command("package", "compose the script's delta, calibrate it, write it and its card, evaluate it on held-out files") { dataDir, work, version, output };
        package.SetAction(parse => TerminalProgress.Run("encoder package", quiet: false, progress =>
            Package(parse.GetValue(dataDir)!, parse.GetValue(work)!, parse.GetValue(version)!, parse.GetValue(output)!, progress)));
        return new Command("encoder", "fine-tune the injection encoder with training/encoder/finetune.py") { export, package };
    }

    private static int Export(string data, string work, string models, Action<string> progress)
    {
        if (!Directory.Exists(data))
        {
            throw new UsageException($"no training data at {data} (give --data-dir, the folder holding set1_... to set4_...)");
        }

        Directory.CreateDirectory(work);
        var package = MiniLmPackage.Read();
        File.WriteAllBytes(Path.Combine(work, "base.onnx"), package.Model);
        var tokenizer = new EncoderTokenizer(package.Vocabulary);
        var settings = new EncoderExamples(new EncoderWindowSettings());
        var examples = settings.Build(data, TrainingRecipe.InjectionTraining, tokenizer, ModelScorers.Load("injection", models), progress);
        var path = Path.Combine(work, "examples.jsonl");
        EncoderExamples.Write(path, examples, tokenizer, settings.Windows.MaxTokens);
        Console.WriteLine($"wrote {Path.Combine(work, "base.onnx")} ({MiniLmPackage.PackageId} {MiniLmPackage.PackageVersion}, sha256 {package.ModelSha256}) and {examples.Count} windows ({examples.Count(e => e.Label == 1)} attacks) to {path}");
        return 0;
    }

    private static int Package(string data, string work, string version, string output, Action<string> progress)
    {
        if (!File.Exists(Path.Combine(work, "delta.onnx")))
        {
            throw new UsageException($"no delta.onnx in {work}: run training/encoder/finetune.py --work {work} first");
        }

        Directory.CreateDirectory(output);
        var (delta, card) = EncoderPackaging.Package(work, data, version, MiniLmPackage.Read(), progress);
        File.Copy(Path.Combine(work, "parity.json"), Path.Combine(output, MlDetectors.EncoderModelFile + ".parity.json"), overwrite: true);
        TrainCommand.Save(output, MlDetectors.EncoderModelFile, MlDetectors.EncoderDeltaSuffix, delta, card, "encoder", data, TrainingRecipe.InjectionHeldOut, TrainingRecipe.LookAlikeFiles);
        return 0;
    }
}
