using System.Text.RegularExpressions;

namespace Guardrail.IntegrationTests;

/// <summary>
/// The Helm chart through the real helm (lint --strict and template, over the default values and
/// every README example), the Dockerfiles and the k6 scripts (type-checked against @types/k6;
/// no container engine or k6 runs here), and each check shown to catch what it is for on a broken copy.
/// </summary>
public sealed class DeploymentCheckTests : IDisposable
{
    private static readonly string Checks = Path.Combine(RepoPaths.Root, "tests", "deploy");
    private static readonly string Chart = Path.Combine(RepoPaths.Root, "charts", "guardrail");
    private static readonly string K6 = Path.Combine(RepoPaths.Root, "loadtests", "k6");
    private readonly string _scratch = Directory.CreateTempSubdirectory("guardrail-deploy-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Helm_lints_and_renders_the_chart_with_the_default_values_and_every_readme_example()
    {
        var examples = Helm.ReadmeExamples(Chart, _scratch);
        Assert.True(examples.Count >= 4, $"found only {examples.Count} README examples");
        foreach (var (name, args) in examples.Prepend(("default values", Array.Empty<string>())))
        {
            var lint = await Helm.RunAsync(["lint", "--strict", Chart, .. args]);
            Assert.True(lint.ExitCode == 0, $"{name}: helm lint --strict failed:\n{lint.Stdout}{lint.Stderr}");
            var rendered = await Helm.RunAsync(["template", "guardrail", Chart, .. args]);
            Assert.True(rendered.ExitCode == 0, $"{name}: helm template failed:\n{rendered.Stderr}");
            var objects = Regex.Matches(rendered.Stdout, "(?m)^kind: ").Count;
            Assert.True(objects >= 8, $"{name}: rendered only {objects} objects");
        }

        var defaults = await Helm.RunAsync("template", "guardrail", Chart);
        Assert.Equal(10, Regex.Matches(defaults.Stdout, "(?m)^kind: ").Count);
        Assert.Contains("name: ORT_DISABLE_TELEMETRY", defaults.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad nindent", "gateway-service.yaml", "{{- include \"guardrail.labels\" . | nindent 4 }}", "{{- include \"guardrail.labels\" . | nindent 1 }}", "error converting YAML to JSON")]
    [InlineData("unknown include", "gateway-pdb.yaml", "\"guardrail.selector\"", "\"guardrail.selectors\"", "no template \"guardrail.selectors\"")]
    public async Task Helm_refuses_a_broken_template(string what, string file, string from, string to, string message)
    {
        var copy = CopyOf(Chart, "chart");
        Edit(Path.Combine(copy, "templates", file), from, to);
        var rendered = await Helm.RunAsync("template", "guardrail", copy);
        Assert.True(rendered.ExitCode != 0, $"{what}: helm template accepted it");
        Assert.Contains(message, rendered.Stderr, StringComparison.Ordinal);
        var lint = await Helm.RunAsync("lint", "--strict", copy);
        Assert.True(lint.ExitCode != 0, $"{what}: helm lint accepted it");
    }

    [Fact]
    public async Task Helm_refuses_values_that_break_the_schema_naming_the_field()
    {
        var values = Path.Combine(_scratch, "bad-values.yaml");
        await File.WriteAllTextAsync(values, "gateway:\n  replicas: two\nredis:\n  bundled:\n    enabled: false\nauth:\n  operatorKeys: []\naudit:\n  retainVerdicts: BLOCK\n");
        var result = await Helm.RunAsync("template", "guardrail", Chart, "-f", values);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("gateway.replicas: Invalid type. Expected: integer, given: string", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("redis.external.address", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("auth.operatorKeys", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("audit.keysSecret", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_value_the_templates_read_is_defined_and_listed()
    {
        var result = await NodeAsync("check-chart.mjs", Chart);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("is defined, and listed in README.md", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("undefined value", "gateway-service.yaml", "  type: {{ .Values.gateway.service.type }}", "  type: {{ .Values.gateway.service.kind }}", ".Values.gateway.service.kind is not defined in values.yaml")]
    [InlineData("unlisted value", "../values.yaml", "imagePullPolicy: IfNotPresent", "imagePullPolicy: IfNotPresent\nnewValue: 1", "README.md does not list the value newValue")]
    public async Task The_chart_check_catches(string what, string file, string from, string to, string message)
    {
        // helm renders an undefined value as empty (lint --strict too), so this check is ours.
        var copy = CopyOf(Chart, "chart");
        Edit(Path.Combine(copy, "templates", file), from, to);
        var result = await NodeAsync("check-chart.mjs", copy);
        Assert.True(result.ExitCode == 1, $"{what}: {result.Stdout}");
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dockerfiles_are_multi_stage_non_root_and_copy_what_exists()
    {
        var dockerfiles = new[] { "gateway", "worker" }.Select(n => Path.Combine(RepoPaths.Root, "deploy", "docker", $"{n}.Dockerfile")).ToArray();
        var result = await NodeAsync("check-dockerfiles.mjs", [RepoPaths.Root, .. dockerfiles]);
        Assert.True(result.ExitCode == 0, result.Stderr);

        var rootUser = Path.Combine(_scratch, "root.Dockerfile");
        await File.WriteAllTextAsync(rootUser, (await File.ReadAllTextAsync(dockerfiles[0])).Replace("USER 10001:10001", "USER root", StringComparison.Ordinal).Replace("COPY models/", "COPY modelz/", StringComparison.Ordinal)
            .Replace("ORT_DISABLE_TELEMETRY=1", "ORT_DISABLE_TELEMETRY=0", StringComparison.Ordinal));
        var refused = await NodeAsync("check-dockerfiles.mjs", RepoPaths.Root, rootUser);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("numeric non-root USER (has root)", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("COPY modelz/: no such file", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("does not set ORT_DISABLE_TELEMETRY=1", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_k6_scripts_parse_and_name_only_what_the_protos_define()
    {
        var result = await NodeAsync("check-k6.mjs", K6, RepoPaths.Protos);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("SLO thresholds in every scenario", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_k6_check_catches_a_wrong_method_field_or_syntax_and_switched_off_thresholds()
    {
        var copy = CopyOf(K6, "k6");
        File.Copy(Path.Combine(RepoPaths.Root, "loadtests", "prompts.json"), Path.Combine(_scratch, "prompts.json"));
        Edit(Path.Combine(copy, "lib", "guardrail.js"), "'guardrail.v1.Admin/RestoreModel'", "'guardrail.v1.Admin/RestoreModels'");
        Edit(Path.Combine(copy, "scenarios", "isolation-drill.js"), "message.fallbackModelId", "message.fallbackModelID");
        Edit(Path.Combine(copy, "scenarios", "soak.js"), "thresholds: slo(settings),", "thresholds: {},");
        Edit(Path.Combine(copy, "scenarios", "smoke.js"), "export default function () {", "export default function ( {");
        Edit(Path.Combine(copy, "lib", "guardrail.js"), "client.connect(settings.address, { plaintext: true, timeout: '10s' });", "client.connect(settings.address, { plaintext: 'yes', timeout: '10s' });");
        Edit(Path.Combine(copy, "lib", "guardrail.js"), "exec.scenario.iterationInTest", "exec.scenario.iterationInTests");
        var result = await NodeAsync("check-k6.mjs", copy, RepoPaths.Protos);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("lib/guardrail.js", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("type check (@types/k6): Type 'string' is not assignable to type 'boolean'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Property 'iterationInTests' does not exist", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("method guardrail.v1.Admin/RestoreModels is not in the loaded protos", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("response field message.fallbackModelID is not a field", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("scenarios/soak.js: its thresholds are not the SLOs", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("scenarios/smoke.js: node --check failed", result.Stderr, StringComparison.Ordinal);
    }

    private static void Edit(string path, string from, string to)
    {
        var text = File.ReadAllText(path);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
    }

    // A copy under the scratch folder, two levels down so the k6 defaults (../../prompts.json from lib/) still resolve there.
    private string CopyOf(string source, string name)
    {
        var target = Path.Combine(_scratch, name);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        return target;
    }

    private static Task<ProcessRunner.Result> NodeAsync(string script, params string[] args)
    {
        if (!Directory.Exists(Path.Combine(Checks, "node_modules", "yaml")))
        {
            Assert.Fail("tests/deploy has no node_modules: run the README's test command (scripts/test.sh), which runs npm ci there");
        }

        return ProcessRunner.RunAsync("node", [Path.Combine(Checks, script), .. args], TimeSpan.FromMinutes(1));
    }
}
