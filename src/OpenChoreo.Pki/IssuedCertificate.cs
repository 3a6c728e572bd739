using System.Security.Cryptography.X509Certificates;

namespace OpenChoreo.Pki;

/// <summary>A certificate the CA issued, with the issuing chain (and its private key when the CA generated it).</summary>
public sealed class IssuedCertificate(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> issuers)
{
    /// <summary>The leaf; it carries its private key when the CA created the key (not for a signed CSR).</summary>
    public X509Certificate2 Certificate { get; } = certificate;

    /// <summary>The issuing CA certificates, nearest first.</summary>
    public IReadOnlyList<X509Certificate2> Issuers { get; } = issuers;

    public string CertificatePem => Pem.WriteCertificate(Certificate);

    /// <summary>The leaf followed by its issuers: what a TLS peer presents and what an agent stores.</summary>
    public string ChainPem => Pem.WriteCertificates([Certificate, .. Issuers]);

    /// <summary>The PKCS#8 private key in PEM, or null when the key never left the requester.</summary>
    public string? PrivateKeyPem => Certificate.HasPrivateKey ? Pem.WritePrivateKey(Certificate) : null;
}
