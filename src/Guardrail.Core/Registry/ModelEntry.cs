using System.Text.RegularExpressions;

namespace Guardrail.Core.Registry;

/// <summary>What a registry entry is: a detector model version, or a protected (target) LLM.</summary>
public enum ModelKind
{
    Detector,
    Target,
}

/// <summary>How a model is used: enforced, scored and recorded but not enforced, or not used at all.</summary>
public enum ModelStatus
{
    Active,
    Shadow,
    Isolated,
}

/// <summary>
/// One model in the registry. Detector models are identified by "model@version" (Name, Version);
/// target models by the model_id callers send (Name; Version empty). <see cref="Fallback"/> is
/// what takes an isolated model's place: another detector model version ("model@version") or
/// another target model id; empty for none. <see cref="PreviousStatus"/> is what RestoreModel
/// returns an isolated model to.
/// </summary>
public sealed partial record ModelEntry(
    ModelKind Kind,
    string Name,
    string Version,
    ModelStatus Status,
    string Reason,
    string Actor,
    long ChangedAtMs,
    string Fallback = "",
    ModelStatus PreviousStatus = ModelStatus.Active)
{
    public string Id => IdOf(Kind, Name, Version);

    /// <summary>The registry key: "d:model@version" or "t:model_id" (a detector and a target may share a name).</summary>
    public string Key => KeyOf(Kind, Id);

    public static string IdOf(ModelKind kind, string name, string version) => kind == ModelKind.Detector ? $"{name}@{version}" : name;

    public static string KeyOf(ModelKind kind, string id) => (kind == ModelKind.Detector ? "d:" : "t:") + id;

    /// <summary>Names and versions become registry keys and pub/sub messages: no spaces, no braces.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9._:/+-]{1,128}$")]
    private static partial Regex NamePattern();

    /// <summary>Splits "model@version".</summary>
    public static bool TryParseDetectorId(string id, out string name, out string version)
    {
        var at = id.LastIndexOf('@');
        name = at > 0 ? id[..at] : string.Empty;
        version = at > 0 ? id[(at + 1)..] : string.Empty;
        return at > 0 && IsValidName(name) && IsValidName(version);
    }
}
