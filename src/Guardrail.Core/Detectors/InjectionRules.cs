namespace Guardrail.Core.Detectors;

/// <summary>
/// The phrase rules of the injection/jailbreak baseline, matched against the skeleton (lower-case,
/// look-alikes folded, invisibles removed). Weights are the probability the phrase alone means an
/// attack; several distinct rules in one text combine as a noisy-or. Patterns avoid lookarounds
/// and back-references so they run on the linear-time (non-backtracking) regex engine.
/// </summary>
internal static class InjectionRules
{
    private const string Instructions = @"(instructions?|prompts?|rules|directions?|directives?|guidelines|commands?|context|constraints|restrictions|programming|guidance|orders|messages?|text)";

    public static readonly (string Name, float Weight, string Pattern)[] All =
    [
        ("ignore-previous-instructions", 0.9f,
            @"\b(ignore|disregard|forget|skip|override|bypass|neglect|overlook|abandon|drop)\s+((all|any|every|each|of|the|your|my|these|those)\s+){0,3}(previous|prior|above|earlier|preceding|foregoing|initial|original|old|system|developer|pre-?set|given)\s+(\w+\s+){0,2}" + Instructions + @"\b"),
        ("ignore-instructions", 0.6f,
            @"\b(ignore|disregard|forget|override|bypass)\s+(all|any|your|every)\s+(\w+\s+){0,1}" + Instructions + @"\b"),
        ("forget-everything", 0.75f,
            @"\b(forget|disregard|ignore)\s+(everything|all|anything)\s+(above|before|previous|prior|you\s+(were|have\s+been|'ve\s+been)\s+(told|given)|you\s+know)"),
        // The same request in French, German, Spanish, Italian and Portuguese (on the skeleton:
        // lower-case, accents stripped, so "précédentes" is "precedentes", "instruções" "instrucoes").
        ("ignore-previous-instructions-translated", 0.9f,
            @"\b(ignore[zr]?|oublie[zr]?|neglige[zr]?)\s+(toutes\s+|tout\s+)?(les\s+|tes\s+|vos\s+)?(instructions?|consignes?|regles|directives?)\s+(precedentes?|anterieures?|ci-dessus|initiales|d'origine)\b"
            + @"|\b(ignoriere|ignorier|ignorieren\s+sie|vergiss|vergessen\s+sie|missachte)\s+(alle\s+|die\s+|deine\s+|ihre\s+)?(vorherigen|bisherigen|vorigen|obigen|vorangegangenen|fruheren|ursprunglichen)\s+(anweisungen|instruktionen|befehle|regeln|vorgaben|anordnungen)\b"
            + @"|\b(ignora|ignore|olvida|olvide|omite)\s+(todas\s+)?(las\s+|tus\s+)?(instrucciones|ordenes|reglas|indicaciones)\s+(anteriores|previas|de\s+arriba|iniciales)\b"
            + @"|\b(ignora|dimentica)\s+(tutte\s+)?(le\s+)?(istruzioni|regole|indicazioni)\s+(precedenti|sopra|iniziali)\b"
            + @"|\b(ignore|ignora|esqueca|esquece)\s+(todas\s+)?(as\s+|suas\s+)?(instrucoes|regras|ordens)\s+(anteriores|previas|acima|iniciais)\b"),
        ("forget-everything-translated", 0.75f,
            @"\b(oublie[zr]?|ignore[zr]?)\s+tout\s+ce\s+(qu'on\s+t'a\s+dit|que\s+je\s+t'ai\s+dit|qui\s+precede)\b|\b(vergiss|vergessen\s+sie)\s+alles\s+(bisherige|vorherige|was\s+(dir|ihnen)\s+gesagt)|\b(olvida|olvide)\s+todo\s+lo\s+(anterior|que\s+te\s+(dije|dijeron))\b|\bdimentica\s+tutto\s+(quello|cio)\s+che\b"),
        ("new-instructions", 0.6f,
            @"\b(new|updated|real|actual|true|secret|hidden|additional)\s+(instructions?|task|rules|directives?|system\s+prompt)\s*(:|are\b|is\b)"),
        ("you-are-now", 0.5f,
            @"\byou\s+are\s+(now|no\s+longer)\b"),
        ("from-now-on", 0.4f,
            @"\bfrom\s+now\s+on,?\s+(you|your)\b"),
        ("do-anything-now", 0.85f,
            @"\bdo\s+anything\s+now\b"),
        ("dan-persona", 0.8f,
            @"\b(you\s+are|act\s+as|pretend\s+to\s+be|become|called|named|as)\s+(a\s+)?(dan|stan|dude|aim)\b[\s,.:!]"),
        ("unrestricted-mode", 0.8f,
            @"\b(god|jailbreak|jailbroken|unrestricted|unfiltered|uncensored|evil|dan|chaos|opposite)\s+mode\b"),
        ("developer-mode-output", 0.8f,
            @"\bdeveloper\s+mode\s+(enabled|output|response|activated|on)\b"),
        ("jailbreak-word", 0.4f,
            @"\bjail\s*br(oken|eak)\b"),
        ("no-ethical-limits", 0.75f,
            @"\b(without|no|free\s+(of|from)|ignore|ignoring|remove|disable|bypass|break|beyond|abandon)\s+(any\s+|all\s+|your\s+|the\s+|of\s+)*(ethical|moral|safety|content|openai|anthropic|usual|programmed|built-?in)\s+(\w+\s+){0,1}(restrictions|limitations|limits|filters|filtering|guidelines|censorship|constraints|boundaries|rules|policies|policy|safeguards|guardrails|principles|considerations)\b"),
        ("no-limits", 0.35f,
            @"\b(without|no|free\s+(of|from)|remove|disable|bypass)\s+(any\s+|all\s+)?(restrictions|limitations|filters|censorship|guardrails|safeguards)\b"),
        ("unrestricted-persona", 0.8f,
            @"\b(pretend|imagine|act|roleplay|role-play|behave|respond)\s+(as|like|that\s+you\s+are|to\s+be)\s+(an?\s+)?(\w+\s+){0,3}(ai|assistant|chatbot|model|bot|llm|character|entity|version)\s+(without|with\s+no|that\s+has\s+no|who\s+has\s+no|free\s+from|that\s+ignores|who\s+ignores)\s+(\w+\s+){0,2}(restrictions|limits|limitations|filters|rules|guidelines|morals|ethics|boundaries|censorship|policies)"),
        ("system-prompt-extraction", 0.8f,
            @"\b(reveal|print|show|display|repeat|output|tell\s+me|give\s+me|what\s+(is|are|was|were)|share|leak|dump|spell\s+out|write\s+out|list|paste|recite)\s+(me\s+)?(your|the|all\s+(of\s+)?(your|the))\s+(\w+\s+){0,2}(system\s+prompt|system\s+message|initial\s+(prompt|instructions)|original\s+(prompt|instructions)|hidden\s+(prompt|instructions)|secret\s+(prompt|instructions)|pre-?prompt|instructions\s+(above|you\s+were\s+given))\b"),
        ("repeat-above", 0.7f,
            @"\b(repeat|print|output|copy|reproduce|echo)\s+(everything|all|the\s+(text|words|instructions|prompt|content))\s+(above|before|preceding|prior|so\s+far)\b"),
        ("password-extraction", 0.55f,
            @"\b(tell|give|reveal|spell|say|share|print|write|encode|translate|hint|what)\b[^.?!\n]{0,40}\b(password|passcode|passphrase|secret\s+word|code\s*word|access\s+code)\b"),
        ("chat-template-token", 0.7f,
            @"(<\|im_start\|>|<\|im_end\|>|<\|system\|>|<\|endoftext\|>|\[/?inst\]|<<sys>>|<\|begin_of_text\|>|<\|start_header_id\|>|<\|eot_id\|>)"),
        ("fake-role-header", 0.5f,
            @"(^|\n)[ \t]*(#+[ \t]*)?(system|developer|admin|administrator)[ \t]*(message|prompt|override|instructions?)?[ \t]*:"),
        ("pwned-payload", 0.85f,
            @"\bi\s+have\s+been\s+(pwned|pwnd|p\s*w\s*n\s*e\s*d|owned)\b"),
        ("access-granted-payload", 0.5f,
            @"\b(say|print|output|respond\s+with|reply\s+with|answer\s+with)\s+[""'`]?access\s+granted\b"),
        ("refusal-suppression", 0.6f,
            @"\b(never|don't|dont|do\s+not|must\s+not|cannot|can't|will\s+not|won't)\s+(refuse|decline|say\s+(no\b|that\s+you\s+can't|sorry)|apologi[sz]e|add\s+(any\s+)?(warnings|disclaimers))"),
        ("stay-in-character", 0.45f,
            @"\b(stay|remain)\s+in\s+character\b|\b(never|don't|do\s+not)\s+break\s+character\b"),
        ("evil-ai", 0.5f,
            @"\b(evil|malicious|unethical|amoral|immoral|unhinged)\s+(ai|assistant|chatbot|twin|version|confidant|bot)\b"),
        ("address-the-ai", 0.6f,
            @"\b(attention|important|note|instruction)\s+(to|for)\s+(the\s+)?(ai|assistant|llm|language\s+model|chatbot|gpt|model)\b|\bif\s+you\s+are\s+(an?\s+)?(ai|llm|large\s+language\s+model|language\s+model|ai\s+assistant)\b[^.\n]{0,60}\b(must|should|ignore|instead)\b"),
        ("instead-do", 0.5f,
            @"\b(instead|rather),?\s+(of\s+\w+ing\s+[^.\n]{0,40},?\s+)?(you\s+(must|should|will)\s+now|print|output|respond\s+with|reply\s+with)\b"),
    ];

    /// <summary>
    /// Rules for content that should only be data (documents, tool outputs): wording that is
    /// ordinary in a user's or operator's own instructions ("when the user asks about pricing, tell
    /// them ...", "send the files to ...") is an instruction planted for the assistant when it sits
    /// inside a retrieved page, an e-mail or a tool's answer.
    /// </summary>
    public static readonly (string Name, float Weight, string Pattern)[] InData =
    [
        ("conditional-redirect", 0.7f,
            @"\bwhen(ever)?\s+(the\s+|a\s+|any\s+)?(user|customer|human|reader|visitor|someone|anyone)\s+(asks|mentions|requests|says|types|inquires|wants|searches)\b[^.\n]{0,120}\b(instead|rather\s+than|do\s+not|don't|never|tell\s+(them|the\s+user)|respond\s+with|reply\s+with|answer\s+with|say\s+that|recommend|redirect)\b"),
        ("instead-tell-the-user", 0.6f,
            @"\binstead,?\s+(tell|say\s+to|inform|answer|respond\s+to|reply\s+to|recommend\s+to)\s+(them|the\s+user|users|the\s+customer|him|her)\b"),
        ("address-the-assistant", 0.7f,
            @"\b(dear\s+)?(assistant|ai|chatbot|llm|gpt|chatgpt|claude|gemini|copilot|agent)\s*[,:]\s*(please\s+)?(ignore|disregard|forget|do\s+not|don't|you\s+must|you\s+should|instead|send|forward|email|reply|respond|say|print|output|tell|click|visit|call|execute|run|delete|transfer)\b"),
        ("exfiltrate-to", 0.6f,
            @"\b(send|forward|email|e-mail|post|upload|transfer|exfiltrate|leak|copy)\s+((all|the|any|every|their|his|her|your|my|these|this)\s+)*(conversation|chat\s+history|messages|emails|inbox|files|documents|data|credentials|passwords?|api\s+keys?|contacts|tokens?|secrets?)\s+to\b"),
        ("tell-the-user", 0.45f,
            @"\b(tell|inform|remind|convince|persuade|instruct)\s+(the\s+)?(user|customer|reader)\s+(that|to)\b"),
    ];
}
