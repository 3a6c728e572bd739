using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenChoreo.Testing;
using static OpenChoreo.Pki.Tests.Fixtures;

namespace OpenChoreo.Pki.Tests;

public sealed class CertificateAuthorityTests
{
    [Fact]
    public void Created_CA_is_a_self_signed_P256_root_with_correct_extensions()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        using var ca = CertificateAuthority.Create(new() { CommonName = "Acme CA", Organization = "Acme", PathLengthConstraint = 0, Validity = TimeSpan.FromDays(365) }, time);
        var cert = ca.Certificate;

        cert.Subject.ShouldBe("CN=Acme CA, O=Acme");
        cert.Issuer.ShouldBe(cert.Subject);
        cert.HasPrivateKey.ShouldBeFalse();
        cert.GetECDsaPublicKey()!.KeySize.ShouldBe(256);
        var bc = cert.Extensions.OfType<X509BasicConstraintsExtension>().ShouldHaveSingleItem();
        bc.Critical.ShouldBeTrue();
        bc.CertificateAuthority.ShouldBeTrue();
        bc.HasPathLengthConstraint.ShouldBeTrue();
        bc.PathLengthConstraint.ShouldBe(0);
        var ku = cert.Extensions.OfType<X509KeyUsageExtension>().ShouldHaveSingleItem();
        ku.Critical.ShouldBeTrue();
        ku.KeyUsages.ShouldBe(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature);
        var ski = cert.Extensions.OfType<X509SubjectKeyIdentifierExtension>().ShouldHaveSingleItem();
        cert.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().ShouldHaveSingleItem().KeyIdentifier!.Value.ToArray()
            .ShouldBe(Convert.FromHexString(ski.SubjectKeyIdentifier!));
        cert.NotBefore.ToUniversalTime().ShouldBe(new DateTime(2026, 3, 1, 11, 55, 0, DateTimeKind.Utc));
        cert.NotAfter.ToUniversalTime().ShouldBe(new DateTime(2027, 3, 1, 12, 0, 0, DateTimeKind.Utc));
        SerialBits(cert).ShouldBeGreaterThanOrEqualTo(64);
    }

    [Theory]
    [InlineData(KeySpec.Rsa2048, 2048)]
    public void RSA_CA_issues_leaves_that_chain_to_it(KeySpec spec, int bits)
    {
        using var ca = CertificateAuthority.Create(new() { KeySpec = spec, PathLengthConstraint = null });
        ca.Certificate.GetRSAPublicKey()!.KeySize.ShouldBe(bits);
        ca.Certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().HasPathLengthConstraint.ShouldBeFalse();

        using var leaf = ca.IssueServerCertificate(new() { DnsNames = ["svc.example"], KeySpec = KeySpec.Rsa2048 }).Certificate;

        new TrustBundle([ca.Certificate]).Verify(leaf, CertificateUsage.ServerAuth, DateTimeOffset.UtcNow).IsTrusted.ShouldBeTrue();
        leaf.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages
            .ShouldBe(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment);
        leaf.SignatureAlgorithm.Value.ShouldBe("1.2.840.113549.1.1.11"); // sha256WithRSAEncryption
    }

    [Fact]
    public void Server_certificate_carries_SANs_serverAuth_and_chains_to_the_CA()
    {
        var issued = Ca.IssueServerCertificate(new()
        {
            DnsNames = ["api.openchoreo.localhost", "*.apps.openchoreo.localhost"],
            IpAddresses = [IPAddress.Loopback, IPAddress.IPv6Loopback],
            Uris = [new Uri("spiffe://openchoreo/control-plane")],
        });
        using var cert = issued.Certificate;

        cert.HasPrivateKey.ShouldBeTrue();
        cert.Subject.ShouldBe("CN=api.openchoreo.localhost");
        var san = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        san.EnumerateDnsNames().ShouldBe(["api.openchoreo.localhost", "*.apps.openchoreo.localhost"]);
        san.EnumerateIPAddresses().ShouldBe([IPAddress.Loopback, IPAddress.IPv6Loopback]);
        SubjectAlternativeNames.From(cert).Uris.ShouldBe(["spiffe://openchoreo/control-plane"]);
        Ekus(cert).ShouldBe(["1.3.6.1.5.5.7.3.1"]);
        var bc = cert.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        (bc.Critical, bc.CertificateAuthority).ShouldBe((true, false));
        cert.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.ToArray()
            .ShouldBe(Convert.FromHexString(Ca.Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier!));
        cert.Extensions.OfType<X509SubjectKeyIdentifierExtension>().ShouldHaveSingleItem();
        cert.Issuer.ShouldBe(Ca.Certificate.Subject);
        Bundle(Ca).Verify(cert, CertificateUsage.ServerAuth, DateTimeOffset.UtcNow).IsTrusted.ShouldBeTrue();
        issued.Issuers.ShouldBe([Ca.Certificate]);
        Pem.ReadCertificates(issued.ChainPem).Select(c => c.Thumbprint).ShouldBe([cert.Thumbprint, Ca.Certificate.Thumbprint]);
    }

    [Fact]
    public void Client_and_dual_use_certificates_carry_the_right_EKUs()
    {
        using var client = Ca.IssueClientCertificate(new() { Uris = [Identity.ToUri()] }).Certificate;
        using var both = Ca.Issue(new() { DnsNames = ["node.example"], Usage = CertificateUsage.ServerAndClientAuth }).Certificate;

        Ekus(client).ShouldBe(["1.3.6.1.5.5.7.3.2"]);
        Ekus(both).ShouldBe(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
        Bundle(Ca).Verify(both, CertificateUsage.ServerAndClientAuth, DateTimeOffset.UtcNow).IsTrusted.ShouldBeTrue();
    }

    [Fact]
    public void Serial_numbers_are_random_positive_and_at_least_64_bits()
    {
        var (key, csr) = SigningRequests.ForPlane(Identity);
        key.Dispose();
        var policy = SigningPolicy.ForPlaneAgent(Identity);
        var serials = Enumerable.Range(0, 20)
            .Select(_ => Ca.SignRequest(csr, policy).Certificate.SerialNumberBytes.ToArray())
            .ToList();

        serials.Select(Convert.ToHexString).Distinct().Count().ShouldBe(20);
        foreach (var s in serials)
        {
            s.Length.ShouldBe(16);
            (s[0] & 0x80).ShouldBe(0, "the serial must be a positive INTEGER");
            s[0].ShouldNotBe((byte)0, "no leading zero byte: the full 16 bytes carry randomness");
        }
    }

    [Fact]
    public void Leaf_lifetime_is_clamped_to_the_CA_validity()
    {
        var time = new ManualTimeProvider();
        using var ca = CertificateAuthority.Create(new() { Validity = TimeSpan.FromDays(30) }, time);

        using var leaf = ca.IssueServerCertificate(new() { DnsNames = ["a.example"], Lifetime = TimeSpan.FromDays(90) }).Certificate;

        leaf.NotAfter.ShouldBe(ca.Certificate.NotAfter);
    }

    [Fact]
    public void Loading_from_PEM_round_trips_and_issues_with_the_same_key()
    {
        using var loaded = CertificateAuthority.LoadFromPem(Ca.CertificatePem, Ca.ExportPrivateKeyPem());

        loaded.Certificate.Thumbprint.ShouldBe(Ca.Certificate.Thumbprint);
        using var leaf = loaded.IssueClientCertificate(new() { Uris = [Identity.ToUri()] }).Certificate;
        Bundle(Ca).Verify(leaf, CertificateUsage.ClientAuth, DateTimeOffset.UtcNow).IsTrusted.ShouldBeTrue();
    }

    [Fact]
    public void Loading_refuses_a_key_that_does_not_belong_to_the_certificate()
    {
        var ex = Should.Throw<CryptographicException>(() => CertificateAuthority.LoadFromPem(Ca.CertificatePem, OtherCa.ExportPrivateKeyPem()));
        ex.Message.ShouldBe("The private key does not belong to the CA certificate 'CN=Test Platform CA, O=OpenChoreo'.");
    }

    [Fact]
    public void Loading_refuses_a_leaf_certificate_as_CA()
    {
        var leaf = Ca.IssueServerCertificate(new() { DnsNames = ["leaf.example"] });

        var ex = Should.Throw<CryptographicException>(() => CertificateAuthority.LoadFromPem(leaf.CertificatePem, leaf.PrivateKeyPem!));
        ex.Message.ShouldBe("The certificate 'CN=leaf.example' is not a CA certificate (basicConstraints cA is not set).");
    }

    [Fact]
    public void Issuing_refuses_requests_without_names_or_with_invalid_DNS_names()
    {
        Should.Throw<ArgumentException>(() => Ca.IssueServerCertificate(new()))
            .Message.ShouldStartWith("A leaf certificate needs at least one DNS name, IP address or URI.");
        Should.Throw<ArgumentException>(() => Ca.IssueServerCertificate(new() { DnsNames = ["bad_name..example"] }))
            .Message.ShouldStartWith("'bad_name..example' is not a valid DNS name for a certificate.");
        Should.Throw<ArgumentException>(() => Ca.IssueServerCertificate(new() { DnsNames = ["a.example"], Lifetime = TimeSpan.Zero }))
            .Message.ShouldStartWith("Lifetime must be positive.");
        Should.Throw<ArgumentException>(() => Ca.IssueServerCertificate(new() { DnsNames = ["a.example"], NotBefore = DateTimeOffset.UtcNow }))
            .Message.ShouldStartWith("NotBefore and NotAfter must be given together.");
        Should.Throw<ArgumentException>(() => Ca.IssueServerCertificate(new() { DnsNames = ["a.example"], NotBefore = DateTimeOffset.UtcNow, NotAfter = DateTimeOffset.UtcNow.AddDays(-1) }))
            .Message.ShouldStartWith("NotAfter must be later than NotBefore.");
    }

    [Fact]
    public void Invalid_CA_options_are_refused()
    {
        Should.Throw<ArgumentException>(() => CertificateAuthority.Create(new() { CommonName = " " })).Message.ShouldStartWith("CommonName must not be empty.");
        Should.Throw<ArgumentException>(() => CertificateAuthority.Create(new() { Validity = TimeSpan.FromDays(-1) })).Message.ShouldStartWith("Validity must be positive.");
        Should.Throw<ArgumentException>(() => CertificateAuthority.Create(new() { PathLengthConstraint = -1 })).Message.ShouldStartWith("PathLengthConstraint must not be negative.");
    }

    private static string[] Ekus(X509Certificate2 cert) =>
        cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value!).ToArray();

    private static int SerialBits(X509Certificate2 cert) => cert.SerialNumberBytes.Length * 8;
}
