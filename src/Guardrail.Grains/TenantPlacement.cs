using Orleans;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Guardrail.Grains;

/// <summary>
/// Places a tenant's grain and all its sessions' grains on the same silo, chosen from the tenant
/// id alone (rendezvous hashing over the compatible silos): a turn then costs at most one remote
/// call (gateway to the session's silo), since the session's call to its tenant stays in that
/// silo. One tenant's turns all pass through its single grain anyway, so gathering its sessions
/// beside it adds no hot spot the tenant grain did not already make. When a silo leaves, only the
/// tenants that lived on it move.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class TenantPlacement : PlacementStrategy
{
    internal static readonly TenantPlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class TenantPlacementAttribute() : PlacementAttribute(TenantPlacement.Instance);

internal sealed class TenantPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        var tenant = (ulong)(uint)GrainId.Create("guardrail-tenant", TenantOf(target.GrainIdentity)).GetUniformHashCode();
        SiloAddress? best = null;
        var bestScore = 0UL;
        foreach (var silo in silos)
        {
            // Every silo computes the same scores (both hashes are Orleans' stable ones), so a
            // session placed from one gateway and its tenant placed from another agree.
            var score = Mix(tenant << 32 | (uint)silo.GetConsistentHashCode());
            if (best is null || score > bestScore)
            {
                (best, bestScore) = (silo, score);
            }
        }

        return Task.FromResult(best ?? throw new OrleansException($"no silo can host {target.GrainIdentity}"));
    }

    /// <summary>The tenant part of a grain key: the whole key of a tenant grain, the part before
    /// the first '/' of a session grain's "tenant/session".</summary>
    internal static string TenantOf(GrainId grain)
    {
        var key = grain.Key.ToString();
        var slash = key.IndexOf('/');
        return slash < 0 ? key : key[..slash];
    }

    /// <summary>splitmix64's finaliser: spreads nearby inputs over the whole range.</summary>
    private static ulong Mix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9UL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebUL;
        return x ^ (x >> 31);
    }
}
