using System.Text.Json;
using Guardrail.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Guardrail.State.Tests;

/// <summary>
/// The store contract on tenant and session grains, in an in-process cluster of two silos (Orleans
/// TestingHost): a test's tenant and its sessions land on either silo, so a session's call to its
/// tenant crosses silos as it would between gateways. Each test starts its own cluster, since the
/// rules' options are each silo's configuration. Run alone: two silos starting per test take both
/// cores of a CI machine, and the Redis stores' suites beside them missed their 250 ms TimeoutMs.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class GrainStateStoreTests : StateStoreContract, IAsyncLifetime
{
    private const string OptionsKey = "Guardrail:State:Json";
    private TestCluster? _cluster;

    protected override IScreeningStateStore Create(StateOptions options, TimeProvider time)
    {
        Assert.Null(_cluster); // one store per test
        var builder = new TestClusterBuilder(2);
        builder.Properties[OptionsKey] = JsonSerializer.Serialize(options);
        builder.AddSiloBuilderConfigurator<StateSilo>();
        _cluster = builder.Build();
        _cluster.Deploy();
        return new GrainStateStore(_cluster.Client, options, time);
    }

    /// <summary>The cached references are Orleans' own: the same grain id and interface type as
    /// GetGrain's, for each grain the Screen path calls, whichever is asked first.</summary>
    [Fact]
    public void String_key_grain_references_match_Orleans_GetGrain()
    {
        Create(new StateOptions(), TimeProvider.System);
        var client = _cluster!.Client;
        foreach (var key in new[] { "tenant-a", "tenant-a/session 1", "ключ" })
        {
            Same(StringKeyGrains<ISessionGrain>.Get(client, key), client.GetGrain<ISessionGrain>(key));
            Same(StringKeyGrains<ITenantGrain>.Get(client, key), client.GetGrain<ITenantGrain>(key));
        }

        Assert.Throws<ArgumentException>(() => StringKeyGrains<ITenantGrain>.Get(client, " "));
    }

    private static void Same(IAddressable cached, IAddressable orleans)
    {
        Assert.Equal(orleans.GetGrainId(), cached.GetGrainId());
        Assert.Equal(((GrainReference)orleans).InterfaceType, ((GrainReference)cached).InterfaceType);
        Assert.Equal(orleans.GetType(), cached.GetType());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
        }
    }

    private sealed class StateSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
            => siloBuilder.AddGuardrailGrains(new SiloOptions(), JsonSerializer.Deserialize<StateOptions>(siloBuilder.Configuration[OptionsKey]!)!);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GrainClusterCollection
{
    public const string Name = "grain clusters";
}
