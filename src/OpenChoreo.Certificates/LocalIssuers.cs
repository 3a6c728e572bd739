using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenChoreo.Pki;

namespace OpenChoreo.Certificates;

/// <summary>The issuers that need no network: selfSigned and ca (a CA key pair from a Secret, or the platform CA).</summary>
internal static class LocalIssuers
{
    public static IssuedKeyPair SelfSigned(IReadOnlyList<string> dnsNames, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var cn = dnsNames.FirstOrDefault(n => !n.StartsWith("*.", StringComparison.Ordinal) && n.Length <= 64) ?? dnsNames[0];
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + cn.Replace(",", "", StringComparison.Ordinal)), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var n in dnsNames) san.AddDnsName(n);
        request.CertificateExtensions.Add(san.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var cert = request.CreateSelfSigned(notBefore, notAfter);
        var pem = Pem.WriteCertificate(cert);
        return new IssuedKeyPair(pem, Pem.WritePrivateKey(key), pem);
    }

    /// <summary>Signs with <paramref name="ca"/>; <paramref name="caChainPem"/> is the CA's own chain (CA first).</summary>
    public static IssuedKeyPair FromCa(CertificateAuthority ca, string caChainPem, string? caRootPem, IReadOnlyList<string> dnsNames,
        DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        IssuedCertificate issued;
        try
        {
            issued = ca.IssueServerCertificate(new LeafCertificateRequest { DnsNames = dnsNames, NotBefore = notBefore, NotAfter = notAfter });
        }
        catch (ArgumentException e)
        {
            throw new IssuanceException(CertificateReasons.InvalidSpec, e.Message, retry: false);
        }
        using (issued.Certificate)
        {
            var caChain = Pem.ReadCertificates(caChainPem);
            // The chain carries the CA unless it is a self-signed root (clients hold roots themselves: ca.crt).
            var intermediates = caChain.Where(c => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData) is false).ToList();
            var root = caRootPem ?? Pem.WriteCertificate(caChain[^1]);
            return new IssuedKeyPair(Pem.WriteCertificates([issued.Certificate, .. intermediates]), issued.PrivateKeyPem!, root);
        }
    }
}
