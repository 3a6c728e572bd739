using Microsoft.Extensions.Logging;
using OpenChoreo.Agent;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Server;

/// <summary>
/// Logs what a runtime that runs nothing (<c>--runtime memory</c>) was told to hold, so an operator — or a test that
/// runs the agent as its own process, e.g. in another network namespace — can see which releases reached this plane.
/// Names and generations only; the resources themselves are never logged.
/// </summary>
internal sealed partial class LoggedReleaseRuntime(IReleaseRuntime inner, ILogger logger) : IReleaseRuntime
{
    public event Action? Changed
    {
        add => inner.Changed += value;
        remove => inner.Changed -= value;
    }

    public Task<RuntimeInfo> GetInfoAsync(CancellationToken ct) => inner.GetInfoAsync(ct);

    public async Task<bool> ApplyAsync(ApplyReleaseRequest release, CancellationToken ct)
    {
        var changed = await inner.ApplyAsync(release, ct).ConfigureAwait(false);
        if (changed) LogApplied(logger, release.Name, release.Generation);
        return changed;
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken ct)
    {
        var existed = await inner.DeleteAsync(name, ct).ConfigureAwait(false);
        if (existed) LogDeleted(logger, name);
        return existed;
    }

    public Task<IReadOnlyList<HeldRelease>> ListAsync(CancellationToken ct) => inner.ListAsync(ct);

    public Task FollowLogsAsync(LogFollowRequest request, Func<ReadOnlyMemory<byte>, ValueTask> sink, CancellationToken ct) =>
        inner.FollowLogsAsync(request, sink, ct);

    public Task<IReadOnlyList<ReleaseHealth>> GetHealthAsync(CancellationToken ct) => inner.GetHealthAsync(ct);

    [LoggerMessage(EventId = 7080, Level = LogLevel.Information, Message = "Holding release {Release} generation {Generation}")]
    private static partial void LogApplied(ILogger logger, string release, long generation);

    [LoggerMessage(EventId = 7081, Level = LogLevel.Information, Message = "No longer holding release {Release}")]
    private static partial void LogDeleted(ILogger logger, string release);
}
