using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenChoreo.Certificates;
using OpenChoreo.Store;

namespace OpenChoreo.Server;

/// <summary>
/// Picks the API listener's certificate per TLS handshake from the SNI name: the TLS Secret of a Certificate in the
/// platform namespace whose dnsNames cover the name (<see cref="CertificateSecretIndex"/>, which this service keeps
/// current), else the platform-CA certificate of <see cref="ServerCertificateSource"/>. The same index serves the
/// data-plane ingress of <c>up</c>.
/// </summary>
public sealed class SniCertificateSelector : BackgroundService
{
    private readonly ServerCertificateSource _fallback;
    private FallbackContext? _fallbackContext;

    public SniCertificateSelector(IResourceStore store, ServerCertificateSource fallback, string platformNamespace, TimeProvider time,
        ILogger<SniCertificateSelector> logger)
    {
        _fallback = fallback;
        Index = new CertificateSecretIndex(store, platformNamespace, time, logger);
    }

    /// <summary>The platform namespace's Certificates' Secrets by the names they cover.</summary>
    public CertificateSecretIndex Index { get; }

    /// <summary>Completes after the first snapshot of the platform namespace's certificates is in place.</summary>
    public Task Loaded => Index.Loaded;

    /// <summary>How many snapshots have been built (tests wait on it after a change).</summary>
    public long Generation => Index.Generation;

    /// <summary>The certificate context for a handshake that asked for <paramref name="serverName"/> (null: no SNI).</summary>
    public SslStreamCertificateContext Select(string? serverName) => Index.Find(serverName)?.Context ?? FallbackContextFor(_fallback.Current);

    /// <summary>Where the certificate for <paramref name="host"/> comes from now: the Secret's name, or null for the platform CA.</summary>
    public string? SecretFor(string host) => Index.Find(host)?.SecretName;

    private SslStreamCertificateContext FallbackContextFor(X509Certificate2 current)
    {
        var cached = Volatile.Read(ref _fallbackContext);
        if (cached is not null && ReferenceEquals(cached.Certificate, current)) return cached.Context;
        var made = new FallbackContext(current, SslStreamCertificateContext.Create(current, additionalCertificates: null, offline: true));
        Volatile.Write(ref _fallbackContext, made);
        return made.Context;
    }

    protected override Task ExecuteAsync(CancellationToken ct) => Index.RunAsync(ct);

    private sealed record FallbackContext(X509Certificate2 Certificate, SslStreamCertificateContext Context);
}
