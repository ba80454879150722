namespace Guardrail.Cli;

/// <summary>A command line that parses but makes no sense (two sources of text, a missing
/// choice): exit 64, like a parse error.</summary>
public sealed class UsageException(string message) : Exception(message);
