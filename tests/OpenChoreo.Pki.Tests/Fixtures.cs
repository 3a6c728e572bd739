using System.Net;
using OpenChoreo.Pki;

namespace OpenChoreo.Pki.Tests;

/// <summary>Shared CAs (key generation is the slow part of these tests, so they are made once per run).</summary>
internal static class Fixtures
{
    public static readonly CertificateAuthority Ca = CertificateAuthority.Create(new() { CommonName = "Test Platform CA" });
    public static readonly CertificateAuthority OtherCa = CertificateAuthority.Create(new() { CommonName = "Some Other CA" });

    /// <summary>One RSA key for the tests that need any RSA key (RSA generation is slow on a busy machine).</summary>
    public static readonly Lazy<System.Security.Cryptography.RSA> Rsa2048 = new(() => System.Security.Cryptography.RSA.Create(2048));

    public static readonly PlaneIdentity Identity = new("acme", "dataplane", "prod-eu");

    public static readonly Lazy<IssuedCertificate> Server = new(() => Ca.IssueServerCertificate(new()
    {
        DnsNames = ["localhost", "api.openchoreo.localhost"],
        IpAddresses = [IPAddress.Loopback],
    }));

    public static IssuedCertificate AgentCertificate(CertificateAuthority ca, PlaneIdentity? identity = null) =>
        ca.IssueClientCertificate(new() { Uris = [(identity ?? Identity).ToUri()], CommonName = (identity ?? Identity).CommonName });

    public static TrustBundle Bundle(params CertificateAuthority[] cas) => new(cas.Select(c => c.Certificate));
}
