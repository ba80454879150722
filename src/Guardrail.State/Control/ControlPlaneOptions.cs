namespace Guardrail.State.Control;

/// <summary>How a node follows the control plane (section "Guardrail:ControlPlane"): the model
/// registry, tenants and API keys, held by the control-plane grain (persisted in Redis with
/// Guardrail:State:Store=redis).</summary>
public sealed class ControlPlaneOptions
{
    public const string Section = "Guardrail:ControlPlane";

    /// <summary>How often a node compares the store's revision with the one it applies, so a lost
    /// change notice leaves it stale for at most this long. Default 1000 ms.</summary>
    public int ReconcileMs { get; set; } = 1000;

    /// <summary>Longest wait for one control-plane read or write (admin calls, a key not yet cached,
    /// the reconcile) before it counts as the store being unreachable. Longer than
    /// Guardrail:State:TimeoutMs because it is off the per-request path. Default 1000 ms.</summary>
    public int TimeoutMs { get; set; } = 1000;

    public IEnumerable<string> Validate()
    {
        if (ReconcileMs is < 50 or > 60_000)
        {
            yield return $"{Section}:{nameof(ReconcileMs)} must be between 50 and 60000 (was {ReconcileMs}).";
        }

        if (TimeoutMs is < 1 or > 60_000)
        {
            yield return $"{Section}:{nameof(TimeoutMs)} must be between 1 and 60000 (was {TimeoutMs}).";
        }
    }
}
