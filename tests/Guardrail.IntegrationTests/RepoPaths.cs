using System.Reflection;

namespace Guardrail.IntegrationTests;

/// <summary>Where the repository and the built gateway are, found from the test assembly.</summary>
internal static class RepoPaths
{
    public static readonly string Root = FindRoot();

    public static string Configuration { get; } =
        typeof(RepoPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string GatewayDll => Path.Combine(Root, "src", "Guardrail.Gateway", "bin", Configuration, "net10.0", "Guardrail.Gateway.dll");

    public static string WorkerDll => Path.Combine(Root, "src", "Guardrail.Worker", "bin", Configuration, "net10.0", "Guardrail.Worker.dll");

    public static string CliDll => Path.Combine(Root, "src", "Guardrail.Cli", "bin", Configuration, "net10.0", "guardrailctl.dll");

    public static string Protos => Path.Combine(Root, "protos");

    /// <summary>"name@version" of a shipped ML model, from its card (tests follow a retrained model).</summary>
    public static string ShippedModel(string file)
    {
        using var card = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "models", file + ".card.json")));
        return $"{card.RootElement.GetProperty("name").GetString()}@{card.RootElement.GetProperty("version").GetString()}";
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cluster.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Cluster.sln not found above {AppContext.BaseDirectory}");
    }
}
