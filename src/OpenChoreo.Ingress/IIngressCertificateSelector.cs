using System.Security.Cryptography.X509Certificates;

namespace OpenChoreo.Ingress;

/// <summary>Picks the TLS certificate for a handshake by its SNI server name (null when the client sent none). Called per
/// handshake, so a renewed or newly issued certificate (platform CA today, ACME later) applies without a restart.</summary>
public interface IIngressCertificateSelector
{
    /// <returns>The certificate (with private key) to present, or null to refuse the handshake.</returns>
    X509Certificate2? Select(string? serverName);
}
