using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Agent;

/// <summary>
/// TEST DOUBLE: a runtime that only remembers releases in memory (no containers). Used by tests, benchmarks and
/// <c>openchoreo agent --runtime memory</c> until the podman runtime lands.
/// </summary>
public sealed class InMemoryReleaseRuntime : IReleaseRuntime
{
    private readonly ConcurrentDictionary<string, ApplyReleaseRequest> _releases = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, (string Health, string? Message)> _health = new(StringComparer.Ordinal);

    public event Action? Changed;

    public int ApplyCount;

    public IReadOnlyDictionary<string, ApplyReleaseRequest> Releases => _releases;

    public Task<RuntimeInfo> GetInfoAsync(CancellationToken ct) => Task.FromResult(new RuntimeInfo
    {
        Kind = "memory",
        Version = "1",
        Nodes = [new RuntimeNode("local", true, 2000, 4L << 30)],
        CpuMillis = 2000,
        MemoryBytes = 4L << 30,
        LoadBalancerSupported = false,
    });

    public Task<bool> ApplyAsync(ApplyReleaseRequest release, CancellationToken ct)
    {
        Interlocked.Increment(ref ApplyCount);
        var changed = !_releases.TryGetValue(release.Name, out var old) || old.Checksum != release.Checksum || old.Generation != release.Generation;
        _releases[release.Name] = release;
        if (changed) Changed?.Invoke();
        return Task.FromResult(changed);
    }

    public Task<bool> DeleteAsync(string name, CancellationToken ct)
    {
        var existed = _releases.TryRemove(name, out _);
        if (existed) Changed?.Invoke();
        return Task.FromResult(existed);
    }

    /// <summary>Sets the health every resource of a release reports (default Healthy) and pushes a status report.</summary>
    public void SetHealth(string release, string health, string? message = null)
    {
        _health[release] = (health, message);
        Changed?.Invoke();
    }

    /// <summary>Each resource of <c>resources[]{id, object}</c> reports the release's health (see <see cref="SetHealth"/>).</summary>
    public Task<IReadOnlyList<ReleaseHealth>> GetHealthAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<ReleaseHealth>>([.. _releases.Values.Select(r =>
        {
            var (health, message) = _health.TryGetValue(r.Name, out var h) ? h : ("Healthy", null);
            var resources = r.Resources.OfType<JsonObject>().Select(res =>
            {
                var obj = res["object"] as JsonObject;
                return new ReleaseResourceHealth(Str(obj?["kind"]) ?? "", Str(obj?["metadata"]?["name"]) ?? "", health,
                    Str(obj?["metadata"]?["namespace"]), Str(res["id"]), message);
            }).ToList();
            return new ReleaseHealth(r.Name, r.Generation, r.Checksum, health, message, resources);
        })]);

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public Task<IReadOnlyList<HeldRelease>> ListAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<HeldRelease>>(_releases.Values.Select(r => new HeldRelease(r.Name, r.Generation, r.Checksum)).ToList());

    /// <summary>Emits numbered lines, batched into chunks of up to 16 KiB, as fast as the stream's credit allows
    /// (<paramref name="request"/>.TailLines lines then the end, or forever when it is 0).</summary>
    public async Task FollowLogsAsync(LogFollowRequest request, Func<ReadOnlyMemory<byte>, ValueTask> sink, CancellationToken ct)
    {
        var batch = new StringBuilder();
        for (var i = 0; request.TailLines == 0 || i < request.TailLines; i++)
        {
            ct.ThrowIfCancellationRequested();
            batch.Append(request.Release).Append(" line ").Append(i).Append('\n');
            if (batch.Length >= 16 * 1024 || request.TailLines == 0)
            {
                await sink(Encoding.UTF8.GetBytes(batch.ToString())).ConfigureAwait(false);
                batch.Clear();
            }
        }
        if (batch.Length > 0) await sink(Encoding.UTF8.GetBytes(batch.ToString())).ConfigureAwait(false);
    }
}
