using Guardrail.State.Isolation;
using Orleans;

namespace Guardrail.Grains;

/// <summary>
/// One target model's blocked-output rate (key: the Screen request's model_id): every gateway
/// reports what it screened of the model's output every Guardrail:IsolationRules:ReportMs, and the
/// one activation keeps the sliding window (<see cref="BlockedOutputWindow"/>), so the rate is the
/// cluster's, not one gateway's. The model's status stays in the control plane's registry: a
/// trigger goes back to the reporting gateway, which isolates through the registry (persisted,
/// then announced) and audits the evidence.
/// </summary>
public interface IModelGrain : IGrainWithStringKey
{
    /// <summary>Adds one gateway's counts under the rule it applies; answers a trigger when this
    /// report made the rule cross (once per crossing, to exactly one gateway).</summary>
    Task<IsolationTrigger?> Report(ModelOutputReport report, IsolationRule rule, CancellationToken cancellationToken = default);

    /// <summary>Outputs and blocked outputs in the window now, for operators and tests.</summary>
    Task<(int Outputs, int Blocked)> Window(CancellationToken cancellationToken = default);
}
