using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Agent;

/// <summary>What the agent drives on its plane. The podman and Kubernetes runtimes implement it (later issues).</summary>
public interface IReleaseRuntime
{
    Task<RuntimeInfo> GetInfoAsync(CancellationToken ct);

    /// <summary>Makes the release true; returns false when it already held exactly this generation and checksum.</summary>
    Task<bool> ApplyAsync(ApplyReleaseRequest release, CancellationToken ct);

    Task<bool> DeleteAsync(string name, CancellationToken ct);

    Task<IReadOnlyList<HeldRelease>> ListAsync(CancellationToken ct);

    /// <summary>Writes log lines of a release to <paramref name="sink"/> until cancelled.</summary>
    Task FollowLogsAsync(LogFollowRequest request, Func<ReadOnlyMemory<byte>, ValueTask> sink, CancellationToken ct);

    /// <summary>
    /// Health of every held release, per resource where the runtime knows it. The default reports each held release
    /// Healthy without a breakdown (for runtimes that cannot observe health).
    /// </summary>
    async Task<IReadOnlyList<ReleaseHealth>> GetHealthAsync(CancellationToken ct) =>
        [.. (await ListAsync(ct).ConfigureAwait(false)).Select(h => new ReleaseHealth(h.Name, h.Generation, h.Checksum, "Healthy"))];

    /// <summary>Raised when the health of what runs changes; the agent pushes a status report.</summary>
    event Action? Changed;
}
