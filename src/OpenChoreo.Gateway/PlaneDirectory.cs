using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Store;

namespace OpenChoreo.Gateway;

/// <summary>What the gateway needs to know about one plane resource to admit its agent.</summary>
public sealed record PlaneEntry(PlaneIdentity Identity, string Uid, bool Deleting, TrustBundle? ClientCa);

/// <summary>
/// A cache of the plane resources (list + watch of the store), read by the TLS handshake (which must not wait on I/O
/// in the common case) and the source of "plane deleted" signals that close connections within a second.
/// </summary>
public sealed partial class PlaneDirectory(IResourceStore store, ILogger<PlaneDirectory> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, PlaneEntry> _planes = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Raised when a plane is deleted or marked for deletion (or recreated with another uid).</summary>
    public event Action<PlaneIdentity>? PlaneGone;

    /// <summary>Completes after the first full list.</summary>
    public Task Synced => _synced.Task;

    public PlaneEntry? Find(PlaneIdentity id) => _planes.TryGetValue(id.ToString(), out var e) ? e : null;

    /// <summary>Reads the plane straight from the store (authoritative; used when the cache has not seen it yet).</summary>
    public async Task<PlaneEntry?> LoadAsync(PlaneIdentity id, CancellationToken ct)
    {
        var obj = await store.GetAsync(PlaneKinds.KeyOf(id), ct).ConfigureAwait(false);
        if (obj is null) return null;
        var entry = ToEntry(obj);
        if (entry is not null) _planes[id.ToString()] = entry;
        return entry;
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                long revision = long.MaxValue;
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var kind in PlaneKinds.KindByType.Values)
                {
                    var list = await store.ListAsync(new ListOptions(kind), ct).ConfigureAwait(false);
                    revision = Math.Min(revision, list.ResourceVersion);
                    foreach (var o in list.Items) if (Apply(WatchEventType.Modified, o) is { } id) seen.Add(id);
                }
                foreach (var key in _planes.Keys.Where(k => !seen.Contains(k)).ToList())
                    if (_planes.TryRemove(key, out var gone)) PlaneGone?.Invoke(gone.Identity);
                _synced.TrySetResult();
                await foreach (var e in store.WatchAsync(new ListOptions("*"), revision, ct).ConfigureAwait(false))
                    if (e.Type != WatchEventType.Bookmark && PlaneKinds.TypeOfKind(e.Object.Kind) is not null) Apply(e.Type, e.Object);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogWatchFailed(logger, e);
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
            }
        }
    }

    private string? Apply(WatchEventType type, ResourceObject o)
    {
        var entry = ToEntry(o);
        if (entry is null) return null;
        var key = entry.Identity.ToString();
        if (type == WatchEventType.Deleted)
        {
            if (_planes.TryRemove(key, out _)) PlaneGone?.Invoke(entry.Identity);
            return key;
        }
        var previous = _planes.TryGetValue(key, out var p) ? p : null;
        _planes[key] = entry;
        if (entry.Deleting && previous is not { Deleting: true }) PlaneGone?.Invoke(entry.Identity);
        else if (previous is not null && previous.Uid != entry.Uid) PlaneGone?.Invoke(entry.Identity);
        return key;
    }

    internal static PlaneEntry? ToEntry(ResourceObject o)
    {
        if (PlaneKinds.TypeOfKind(o.Kind) is not { } type) return null;
        if (Names.ExplainLabel(o.Namespace) is not null || Names.ExplainSubdomain(o.Name) is not null) return null;
        return new PlaneEntry(new PlaneIdentity(o.Namespace, type, o.Name), o.Uid ?? "", o.DeletionTimestamp is not null, ReadClientCa(o));
    }

    /// <summary>Upstream style <c>spec.agent.clientCA.value</c>: PEM, or base64 of PEM. Unreadable values trust nothing.</summary>
    internal static TrustBundle? ReadClientCa(ResourceObject o)
    {
        if (o.Spec?["agent"]?["clientCA"]?["value"] is not JsonValue v || !v.TryGetValue<string>(out var text) || text.Length == 0) return null;
        if (text.Length > Pem.MaxPemLength) return null;
        try
        {
            if (!text.Contains("-----BEGIN", StringComparison.Ordinal)) text = Encoding.UTF8.GetString(Convert.FromBase64String(text));
            var bundle = TrustBundle.FromPem(text);
            return bundle.Authorities.Count == 0 ? null : bundle;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "Plane watch failed; relisting")]
    private static partial void LogWatchFailed(ILogger logger, Exception e);
}
