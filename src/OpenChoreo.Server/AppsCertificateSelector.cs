using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using OpenChoreo.Certificates;
using OpenChoreo.Ingress;

namespace OpenChoreo.Server;

/// <summary>
/// The data-plane ingress's certificate in <c>up</c>: for a name under <c>apps.openchoreo.{D}</c>, the TLS Secret of a
/// platform-namespace Certificate that covers it (the <c>openchoreo-apps</c> wildcard when DNS-01 is configured), hot-swapped
/// through the control plane's <see cref="CertificateSecretIndex"/>; otherwise, and for names outside the apps domain
/// (the control plane's own hosts are not the ingress's to serve), the platform-CA wildcard in <paramref name="fallback"/>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AppsCertificateSelector(CertificateSecretIndex index, IngressCertificateStore fallback, string appsDomain)
    : IIngressCertificateContextSelector
{
    private readonly string _suffix = "." + appsDomain;
    private FallbackContext? _fallbackContext;

    /// <summary>The Certificate-issued certificate for <paramref name="serverName"/>, or null when the platform CA's serves it.</summary>
    public ServedCertificate? Issued(string? serverName) =>
        serverName is { Length: > 0 } && (serverName.TrimEnd('.').EndsWith(_suffix, StringComparison.OrdinalIgnoreCase)
            || serverName.TrimEnd('.').Equals(_suffix[1..], StringComparison.OrdinalIgnoreCase))
            ? index.Find(serverName) : null;

    public X509Certificate2? Select(string? serverName) => Issued(serverName)?.Leaf ?? fallback.Select(serverName);

    public SslStreamCertificateContext? SelectContext(string? serverName)
    {
        if (Issued(serverName) is { } issued) return issued.Context;
        if (fallback.Select(serverName) is not { } current) return null;
        // The platform-CA certificate changes only on renewal: one context per certificate.
        var cached = Volatile.Read(ref _fallbackContext);
        if (cached is not null && ReferenceEquals(cached.Certificate, current)) return cached.Context;
        var made = new FallbackContext(current, SslStreamCertificateContext.Create(current, additionalCertificates: null, offline: true));
        Volatile.Write(ref _fallbackContext, made);
        return made.Context;
    }

    private sealed record FallbackContext(X509Certificate2 Certificate, SslStreamCertificateContext Context);
}
