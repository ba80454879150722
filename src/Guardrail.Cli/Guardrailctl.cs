using System.CommandLine;
using Grpc.Core;
using Guardrail.Audit.Sealing;
using Guardrail.Cli.Commands;
using Guardrail.Contracts.Client;

namespace Guardrail.Cli;

/// <summary>
/// The command tree and the exit statuses: 0 on an answer, 1 on a gRPC error (or a failed load
/// check), 3 when audit data is damaged or fails authentication, 64 on a usage error (a parse
/// error or one of <see cref="UsageException"/>). Help: guardrailctl --help, COMMAND --help;
/// completion: guardrailctl completion bash.
/// </summary>
public static class Guardrailctl
{
    public const int UsageError = 64;

    public static RootCommand Create()
    {
        var root = new RootCommand("guardrailctl - screen text with a Guardrail gateway, run its operations, train and measure its models")
        {
            CliOptions.Address,
            CliOptions.Key,
            ScreenCommand.Create(),
            HealthCommand.Create(),
            ModelsCommand.Create(),
            TenantsCommand.Create(),
            KeysCommand.Create(),
            SessionsCommand.Create(),
            AuditCommand.Create(),
            LoadCommand.Create(),
            BenchCommand.Create(),
            BenchDetectCommand.Create(),
            BenchModelsCommand.Create(),
            TrainCommand.Create(),
            EvalCommand.Create(),
            EncoderCommand.Create(),
            CompletionCommand.Create(),
        };
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Create().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null }); // "@text" is text to screen, not a response file
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"guardrailctl: {error.Message}");
            }

            Console.Error.WriteLine($"run '{CommandPath(parse)} --help' for usage");
            return UsageError;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"guardrailctl: {e.Message}");
            Console.Error.WriteLine($"run '{CommandPath(parse)} --help' for usage");
            return UsageError;
        }
        catch (AuditKeyException e)
        {
            Console.Error.WriteLine($"guardrailctl: {e.Message}");
            return 3;
        }
        catch (RpcException e)
        {
            Console.Error.WriteLine($"guardrailctl: {e.StatusCode.Canonical()}: {e.Status.Detail}");
            return 1;
        }
    }

    /// <summary>"guardrailctl models isolate": the command the line reached.</summary>
    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command is RootCommand ? "guardrailctl" : result.Command.Name);
        }

        return string.Join(' ', names);
    }
}
