using Guardrail.State.Isolation;
using Orleans;

namespace Guardrail.Grains;

/// <summary>
/// A target model's window of blocked outputs, in memory only: a silo's loss (or an idle
/// deactivation) starts the window afresh on the next report, which a rule about a sustained rate
/// can afford (it refills within one window); what the rule did (an isolation) is in the registry.
/// </summary>
internal sealed class ModelGrain : Grain, IModelGrain
{
    private readonly BlockedOutputWindow _window = new();

    public Task<IsolationTrigger?> Report(ModelOutputReport report, IsolationRule rule, CancellationToken cancellationToken = default)
        => Task.FromResult(_window.Add(this.GetPrimaryKeyString(), report, rule));

    public Task<(int Outputs, int Blocked)> Window(CancellationToken cancellationToken = default) => Task.FromResult((_window.Outputs, _window.Blocked));
}
