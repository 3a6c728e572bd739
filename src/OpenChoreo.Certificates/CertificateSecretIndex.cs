using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Store;

namespace OpenChoreo.Certificates;

/// <summary>A certificate a TLS listener can present: the Secret it came from and its ready-made context.</summary>
public sealed record ServedCertificate(string SecretName, X509Certificate2 Leaf, DateTimeOffset NotAfter, SslStreamCertificateContext Context);

/// <summary>
/// The TLS Secrets (<c>spec.secretName</c>) of the Certificates in one namespace, indexed by the names they cover, for
/// listeners that pick a certificate per handshake (the control plane's API listener, the data-plane ingress). The
/// Secrets are parsed once into a snapshot that <see cref="RunAsync"/> replaces on every Certificate or Secret change
/// there, so a renewal applies to the next handshake while open connections keep the certificate they were made with.
/// </summary>
public sealed partial class CertificateSecretIndex
{
    private readonly IResourceStore _store;
    private readonly string _namespace;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private Snapshot _snapshot = Snapshot.Empty;
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CertificateSecretIndex(IResourceStore store, string @namespace, TimeProvider time, ILogger logger)
    {
        _store = store;
        _namespace = @namespace;
        _time = time;
        _logger = logger;
    }

    /// <summary>Completes after the first snapshot of the namespace's certificates is in place.</summary>
    public Task Loaded => _loaded.Task;

    /// <summary>How many snapshots have been built (tests wait on it after a change).</summary>
    public long Generation => Volatile.Read(ref _snapshot).Generation;

    /// <summary>The unexpired certificate covering <paramref name="serverName"/>, or null (the listener's own fallback applies).</summary>
    public ServedCertificate? Find(string? serverName) =>
        !string.IsNullOrEmpty(serverName) && Volatile.Read(ref _snapshot).Find(serverName) is { } e && e.Served.NotAfter > _time.GetUtcNow() ? e.Served : null;

    /// <summary>Keeps the snapshot current until <paramref name="ct"/> fires; a lost watch relists after a pause.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var from = await _store.GetRevisionAsync(ct).ConfigureAwait(false);
                await RebuildAsync(ct).ConfigureAwait(false);
                _loaded.TrySetResult();
                await foreach (var e in _store.WatchAsync(new ListOptions(ListOptions.AllKinds, _namespace), from, ct).ConfigureAwait(false))
                {
                    if (e.Object.Kind is "Certificate" or "Secret") await RebuildAsync(ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Changes may have been missed: relist after a pause. The current snapshot stays in use meanwhile.
                LogWatchLost(_logger, e);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task RebuildAsync(CancellationToken ct)
    {
        var previous = Volatile.Read(ref _snapshot);
        var certificates = await _store.ListAsync(new ListOptions("Certificate", _namespace), ct).ConfigureAwait(false);
        var entries = new List<Entry>();
        foreach (var cert in certificates.Items)
        {
            if (cert.DeletionTimestamp is not null || cert.Spec?["secretName"] is not JsonValue sn || !sn.TryGetValue<string>(out var secretName)) continue;
            var names = (cert.Spec["dnsNames"] as JsonArray ?? []).Select(n => (n as JsonValue)?.TryGetValue<string>(out var s) == true ? s!.ToLowerInvariant() : null)
                .OfType<string>().ToList();
            var secret = await _store.GetAsync(new ResourceKey("Secret", _namespace, secretName), ct).ConfigureAwait(false);
            if (secret is null) continue;
            // Unchanged Secret: keep the parsed certificate and its context (and so its TLS session cache).
            if (previous.BySecret.TryGetValue(secretName, out var kept) && kept.ResourceVersion == secret.ResourceVersion)
            {
                entries.Add(kept with { Names = Covered(kept.Served.Leaf, names) });
                continue;
            }
            if (Load(secret, secretName, names) is { } loaded) entries.Add(loaded);
        }
        Volatile.Write(ref _snapshot, new Snapshot(previous.Generation + 1, entries));
        LogSnapshot(_logger, _namespace, entries.Count);
    }

    private Entry? Load(ResourceObject secret, string secretName, List<string> names)
    {
        var crt = Value(secret, "tls.crt");
        var key = Value(secret, "tls.key");
        if (crt is null || key is null) return null;
        try
        {
            var chain = Pem.ReadCertificates(crt);
            var leaf = Pem.LoadCertificateWithKey(crt, key);
            var intermediates = new X509Certificate2Collection();
            chain[0].Dispose();
            foreach (var c in chain.Skip(1)) intermediates.Add(c);
            var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
            var served = new ServedCertificate(secretName, leaf, new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero), context);
            return new Entry(served, secret.ResourceVersion, Covered(leaf, names));
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or FormatException)
        {
            LogUnusable(_logger, secretName, e);
            return null;
        }
    }

    /// <summary>The Certificate's names that the certificate in its Secret really covers (a stale Secret covers fewer).</summary>
    private static IReadOnlyList<string> Covered(X509Certificate2 leaf, List<string> names)
    {
        var sans = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(x => x.EnumerateDnsNames())
            .Select(n => n.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        return names.Where(sans.Contains).ToList();
    }

    private static string? Value(ResourceObject secret, string key)
    {
        if (secret.Node["data"]?[key] is not JsonValue v || !v.TryGetValue<string>(out var b64)) return null;
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(b64));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private sealed record Entry(ServedCertificate Served, string? ResourceVersion, IReadOnlyList<string> Names);

    private sealed class Snapshot
    {
        public static readonly Snapshot Empty = new(0, []);

        private readonly Dictionary<string, Entry> _byName = new(StringComparer.Ordinal);

        public Snapshot(long generation, IReadOnlyList<Entry> entries)
        {
            Generation = generation;
            foreach (var e in entries)
            {
                BySecret[e.Served.SecretName] = e;
                // Several Certificates for one name: the one expiring last wins.
                foreach (var n in e.Names)
                    if (!_byName.TryGetValue(n, out var other) || other.Served.NotAfter < e.Served.NotAfter) _byName[n] = e;
            }
        }

        public long Generation { get; }

        public Dictionary<string, Entry> BySecret { get; } = new(StringComparer.Ordinal);

        /// <summary>Exact name first, then a wildcard one label up (<c>*.apps.example.com</c> covers <c>a.apps.example.com</c>).</summary>
        public Entry? Find(string serverName)
        {
            if (_byName.Count == 0) return null;
            var host = serverName.TrimEnd('.').ToLowerInvariant();
            if (_byName.TryGetValue(host, out var exact)) return exact;
            var dot = host.IndexOf('.', StringComparison.Ordinal);
            return dot > 0 && _byName.TryGetValue("*" + host[dot..], out var wild) ? wild : null;
        }
    }

    [LoggerMessage(EventId = 1410, Level = LogLevel.Debug, Message = "TLS certificates of namespace {Namespace} reloaded: {Count} from Certificates")]
    private static partial void LogSnapshot(ILogger logger, string @namespace, int count);

    [LoggerMessage(EventId = 1411, Level = LogLevel.Warning, Message = "TLS Secret {Secret} does not hold a usable certificate and key; its names get the listener's fallback certificate")]
    private static partial void LogUnusable(ILogger logger, string secret, Exception exception);

    [LoggerMessage(EventId = 1412, Level = LogLevel.Warning, Message = "Watch of the certificates' namespace was lost; relisting")]
    private static partial void LogWatchLost(ILogger logger, Exception exception);
}
