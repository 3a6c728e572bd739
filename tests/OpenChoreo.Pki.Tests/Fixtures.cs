using System.Net;
using OpenChoreo.Pki;

namespace OpenChoreo.Pki.Tests;

/// <summary>Shared CAs (key generation is the slow part of these tests, so they are made once per run).</summary>
internal static class Fixtures
{
    public static readonly CertificateAuthority Ca = CertificateAuthority.Create(new() { CommonName = "Test Platform CA" });
    public static readonly CertificateAuthority OtherCa = CertificateAuthority.Create(new() { CommonName = "Some Other CA" });

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
