using System.Net.Security;

namespace OpenChoreo.Ingress;

/// <summary>
/// A certificate selector that hands out ready-made contexts (leaf plus the intermediates to send), built once per
/// certificate rather than per handshake. When the selector given to <see cref="IngressGateway.StartAsync"/> implements
/// it, the HTTPS listener uses <see cref="SelectContext"/> instead of <see cref="IIngressCertificateSelector.Select"/>.
/// </summary>
public interface IIngressCertificateContextSelector : IIngressCertificateSelector
{
    /// <returns>The context to present for <paramref name="serverName"/> (null when the client sent no SNI), or null to refuse the handshake.</returns>
    SslStreamCertificateContext? SelectContext(string? serverName);
}
