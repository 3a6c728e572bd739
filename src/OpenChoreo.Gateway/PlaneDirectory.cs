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
public sealed record PlaneEntry(PlaneIdentity Identity, string Uid, bool Deleting, TrustBundle? ClientCa)
{
    /// <summary>The Secret named by <c>spec.agent.clientCA.secretRef</c> (same namespace only), if any.</summary>
    public ResourceKey? ClientCaSecret { get; init; }

    /// <summary>The key within that Secret (<c>secretRef.key</c>, default <c>ca.crt</c>).</summary>
    public string ClientCaSecretKey { get; init; } = "ca.crt";
}

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
        if (entry?.ClientCaSecret is { } secretKey)
            entry = entry with { ClientCa = ReadClientCaSecret(await store.GetAsync(secretKey, ct).ConfigureAwait(false), entry.ClientCaSecretKey) };
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
                    foreach (var o in list.Items) if (await ApplyAsync(WatchEventType.Modified, o, ct).ConfigureAwait(false) is { } id) seen.Add(id);
                }
                foreach (var key in _planes.Keys.Where(k => !seen.Contains(k)).ToList())
                    if (_planes.TryRemove(key, out var gone)) PlaneGone?.Invoke(gone.Identity);
                _synced.TrySetResult();
                await foreach (var e in store.WatchAsync(new ListOptions("*"), revision, ct).ConfigureAwait(false))
                {
                    if (e.Type == WatchEventType.Bookmark) continue;
                    if (PlaneKinds.TypeOfKind(e.Object.Kind) is not null) await ApplyAsync(e.Type, e.Object, ct).ConfigureAwait(false);
                    else if (e.Object.Kind == ClientCaSecretKind) OnSecretChanged(e.Type, e.Object);
                }
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

    private async Task<string?> ApplyAsync(WatchEventType type, ResourceObject o, CancellationToken ct)
    {
        var entry = ToEntry(o);
        if (entry is null) return null;
        if (entry.ClientCaSecret is { } secretKey && type != WatchEventType.Deleted)
            entry = entry with { ClientCa = ReadClientCaSecret(await store.GetAsync(secretKey, ct).ConfigureAwait(false), entry.ClientCaSecretKey) };
        Apply(type, entry);
        return entry.Identity.ToString();
    }

    /// <summary>A referenced Secret changed: re-read the CA of every plane that names it (rotation without restarts).</summary>
    private void OnSecretChanged(WatchEventType type, ResourceObject secret)
    {
        var key = ResourceKey.Of(secret);
        foreach (var entry in _planes.Values.Where(e => e.ClientCaSecret == key).ToList())
            _planes[entry.Identity.ToString()] = entry with { ClientCa = type == WatchEventType.Deleted ? null : ReadClientCaSecret(secret, entry.ClientCaSecretKey) };
    }

    private void Apply(WatchEventType type, PlaneEntry entry)
    {
        var key = entry.Identity.ToString();
        if (type == WatchEventType.Deleted)
        {
            if (_planes.TryRemove(key, out _)) PlaneGone?.Invoke(entry.Identity);
            return;
        }
        var previous = _planes.TryGetValue(key, out var p) ? p : null;
        _planes[key] = entry;
        if (entry.Deleting && previous is not { Deleting: true }) PlaneGone?.Invoke(entry.Identity);
        else if (previous is not null && previous.Uid != entry.Uid) PlaneGone?.Invoke(entry.Identity);
    }

    internal static PlaneEntry? ToEntry(ResourceObject o)
    {
        if (PlaneKinds.TypeOfKind(o.Kind) is not { } type) return null;
        if (Names.ExplainLabel(o.Namespace) is not null || Names.ExplainSubdomain(o.Name) is not null) return null;
        return new PlaneEntry(new PlaneIdentity(o.Namespace, type, o.Name), o.Uid ?? "", o.DeletionTimestamp is not null, ReadClientCa(o))
        {
            ClientCaSecret = ClientCaSecretOf(o),
            ClientCaSecretKey = (string?)o.Spec?["agent"]?["clientCA"]?["secretRef"]?["key"] is { Length: > 0 } k ? k : "ca.crt",
        };
    }

    private const string ClientCaSecretKind = "Secret";

    /// <summary>
    /// <c>spec.agent.clientCA.secretRef</c>. A reference into another organization's namespace is ignored (trusts
    /// nothing): a plane may only trust material its own organization holds.
    /// </summary>
    internal static ResourceKey? ClientCaSecretOf(ResourceObject o)
    {
        if (o.Spec?["agent"]?["clientCA"]?["secretRef"] is not JsonObject r) return null;
        var name = (string?)r["name"];
        var ns = (string?)r["namespace"] is { Length: > 0 } n ? n : o.Namespace;
        return string.IsNullOrEmpty(name) || ns != o.Namespace ? null : new ResourceKey(ClientCaSecretKind, ns, name);
    }

    /// <summary>The CA in the referenced Secret's key (default <c>ca.crt</c>); a missing secret or key trusts nothing.</summary>
    internal static TrustBundle? ReadClientCaSecret(ResourceObject? secret, string dataKey)
    {
        if (secret?.Node["data"]?[dataKey] is not JsonValue v || !v.TryGetValue<string>(out var b64)) return null;
        try
        {
            return ParseCa(Encoding.UTF8.GetString(Convert.FromBase64String(b64)));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Upstream style <c>spec.agent.clientCA.value</c>: PEM, or base64 of PEM. Unreadable values trust nothing.</summary>
    internal static TrustBundle? ReadClientCa(ResourceObject o)
    {
        if (o.Spec?["agent"]?["clientCA"]?["value"] is not JsonValue v || !v.TryGetValue<string>(out var text) || text.Length == 0) return null;
        return ParseCa(text);
    }

    private static TrustBundle? ParseCa(string text)
    {
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

    [LoggerMessage(EventId = 2111, Level = LogLevel.Warning, Message = "Plane watch failed; relisting")]
    private static partial void LogWatchFailed(ILogger logger, Exception e);
}
