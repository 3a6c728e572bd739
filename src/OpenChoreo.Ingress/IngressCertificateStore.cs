using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OpenChoreo.Ingress;

/// <summary>
/// Certificates by host pattern (<c>*.apps.openchoreo.localhost</c> or an exact host): exact names win over a wildcard,
/// a wildcard covers exactly one label (RFC 6125). <see cref="Set"/> swaps atomically; handshakes in flight keep theirs.
/// A handshake without SNI (a client dialing an address) gets the default certificate.
/// </summary>
public sealed class IngressCertificateStore(ILogger? logger = null) : IIngressCertificateSelector
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private ImmutableDictionary<string, X509Certificate2> _byPattern = ImmutableDictionary.Create<string, X509Certificate2>(StringComparer.OrdinalIgnoreCase);
    private X509Certificate2? _default;

    /// <summary>Installs (or replaces) the certificate for <paramref name="pattern"/>; the first one set is the default.</summary>
    public void Set(string pattern, X509Certificate2 certificate, bool isDefault = false)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!HostnameRules.IsHostPattern(pattern)) throw new ArgumentException($"'{pattern}' is not a host name or *.wildcard", nameof(pattern));
        if (!certificate.HasPrivateKey) throw new ArgumentException("the certificate has no private key", nameof(certificate));
        ImmutableInterlocked.Update(ref _byPattern, d => d.SetItem(pattern, certificate));
        if (isDefault || Volatile.Read(ref _default) is null) Volatile.Write(ref _default, certificate);
        IngressLog.CertificateSet(_logger, pattern, certificate.NotAfter.ToUniversalTime());
    }

    public X509Certificate2? Select(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName)) return Volatile.Read(ref _default);
        var map = _byPattern;
        if (map.TryGetValue(serverName, out var exact)) return exact;
        var dot = serverName.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && map.TryGetValue("*" + serverName[dot..], out var wildcard)) return wildcard;
        IngressLog.NoCertificate(_logger, serverName);
        return null;
    }
}
