using OpenChoreo.Pki;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Gateway;

/// <summary>
/// The desired releases of a plane — what should run there (<see cref="StoreDesiredReleases"/>: the store's Releases). The gateway reads it when an
/// agent resyncs, so changes made while the agent was away are delivered when it returns (level-based, nothing lost).
/// </summary>
public interface IDesiredReleases
{
    /// <summary>The releases that should run on <paramref name="plane"/>, or null when unknown (resync then changes nothing).</summary>
    Task<IReadOnlyList<ApplyReleaseRequest>?> GetAsync(PlaneIdentity plane, CancellationToken ct);
}
