using Guardrail.Cli;

// guardrailctl: the commands live in Commands/, the command line is System.CommandLine's.
return await Guardrailctl.RunAsync(args);
