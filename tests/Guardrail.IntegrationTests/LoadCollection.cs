namespace Guardrail.IntegrationTests;

/// <summary>Test classes that drive sustained load or measure timing share this collection, so
/// xunit runs them one after another (collections run in parallel, a collection's tests do not):
/// on a 2-core machine one's load must not skew another's clock. DisableParallelization: the
/// collection also runs alone, after the others, so their processes do not skew it either.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadCollection
{
    public const string Name = "load and timing";
}
