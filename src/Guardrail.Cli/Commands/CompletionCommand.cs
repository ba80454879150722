using System.CommandLine;

namespace Guardrail.Cli.Commands;

/// <summary>
/// guardrailctl completion bash|zsh: a shell script that completes commands, options and their
/// choices by asking guardrailctl itself (System.CommandLine's [suggest] directive), so the
/// completions always match the installed version. Load it with
/// <c>source &lt;(guardrailctl completion bash)</c>.
/// </summary>
public static class CompletionCommand
{
    private const string Bash = """
        # guardrailctl completion for bash: source <(guardrailctl completion bash)
        _guardrailctl_complete() {
          local line="${COMP_LINE#* }"
          local point=$(( COMP_POINT - ${#COMP_LINE} + ${#line} ))
          (( point < 0 )) && point=0
          local IFS=$'\n'
          COMPREPLY=( $("${COMP_WORDS[0]}" "[suggest:${point}]" "${line}" 2>/dev/null) )
        }
        complete -o default -F _guardrailctl_complete guardrailctl
        """;

    private const string Zsh = """
        # guardrailctl completion for zsh: source <(guardrailctl completion zsh)
        _guardrailctl_complete() {
          local line="${BUFFER#* }"
          local point=$(( CURSOR - ${#BUFFER} + ${#line} ))
          (( point < 0 )) && point=0
          local -a suggestions
          suggestions=("${(@f)$(${words[1]} "[suggest:${point}]" "${line}" 2>/dev/null)}")
          compadd -a suggestions
        }
        compdef _guardrailctl_complete guardrailctl
        """;

    public static Command Create()
    {
        var shell = new Argument<string>("SHELL") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "print a tab-completion script: source <(guardrailctl completion bash)") { shell };
        command.SetAction(parse =>
        {
            Console.WriteLine(parse.GetValue(shell) == "zsh" ? Zsh : Bash);
            return 0;
        });
        return command;
    }
}
