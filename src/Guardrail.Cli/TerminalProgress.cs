using Spectre.Console;

namespace Guardrail.Cli;

/// <summary>
/// A live status line for long-running commands (train, eval, load, bench*) while a person
/// watches: Spectre.Console's spinner on standard error. Quiet with --json or when either output
/// is redirected, so pipes, files and CI logs get only the report.
/// </summary>
public static class TerminalProgress
{
    public static async Task<T> RunAsync<T>(string title, bool quiet, Func<Action<string>, Task<T>> work)
    {
        if (quiet || Console.IsOutputRedirected || Console.IsErrorRedirected)
        {
            return await work(_ => { }).ConfigureAwait(false);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Status().StartAsync(title, status => work(text => status.Status($"{title}: {Markup.Escape(text)}"))).ConfigureAwait(false);
    }

    public static T Run<T>(string title, bool quiet, Func<Action<string>, T> work)
        => RunAsync(title, quiet, report => Task.Run(() => work(report))).GetAwaiter().GetResult();
}
