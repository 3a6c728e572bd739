using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using static OpenChoreo.Pki.Tests.Fixtures;

namespace OpenChoreo.Pki.Tests;

public sealed class CsrSigningTests
{
    private static readonly SigningPolicy AgentPolicy = SigningPolicy.ForPlaneAgent(Identity, TimeSpan.FromHours(12));

    [Fact]
    public void Plane_CSR_is_signed_with_identity_subject_usage_and_lifetime_from_the_policy()
    {
        var (key, csr) = SigningRequests.ForPlane(Identity);
        using (key)
        {
            var issued = Ca.SignRequest(csr, AgentPolicy);
            using var cert = issued.Certificate;

            cert.HasPrivateKey.ShouldBeFalse();
            cert.Subject.ShouldBe("CN=dataplane/prod-eu, O=acme");
            PlaneIdentity.FromCertificate(cert).ShouldBe(Identity);
            cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Single().Value.ShouldBe("1.3.6.1.5.5.7.3.2");
            (cert.NotAfter - cert.NotBefore).ShouldBe(TimeSpan.FromHours(12) + TimeSpan.FromMinutes(5));
            cert.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo().ShouldBe(((ECDsa)key).ExportSubjectPublicKeyInfo());
            Bundle(Ca).Verify(cert, CertificateUsage.ClientAuth, DateTimeOffset.UtcNow).IsTrusted.ShouldBeTrue();
            issued.PrivateKeyPem.ShouldBeNull();
        }
    }

    [Fact]
    public void The_identity_comes_from_the_policy_not_from_the_CSR_subject()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = SigningRequests.Create(key, "admin"); // claims another subject and no SAN

        using var cert = Ca.SignRequest(csr, AgentPolicy).Certificate;

        cert.Subject.ShouldBe("CN=dataplane/prod-eu, O=acme");
        PlaneIdentity.FromCertificate(cert).ShouldBe(Identity);
    }

    [Fact]
    public void RSA_2048_CSR_is_accepted()
    {
        using var cert = Ca.SignRequest(SigningRequests.Create(Rsa2048.Value, "x", uris: [Identity.ToUri()]), AgentPolicy).Certificate;
        cert.GetRSAPublicKey()!.KeySize.ShouldBe(2048);
    }

    [Fact]
    public void Tampered_CSR_is_refused_as_invalid_signature()
    {
        var (key, csr) = SigningRequests.ForPlane(Identity);
        key.Dispose();
        var der = PemEncoding.Find(csr) is var f ? Convert.FromBase64String(csr[f.Base64Data]) : null!;
        var cn = "dataplane/prod-eu"u8.ToArray();
        var at = der.AsSpan().IndexOf(cn);
        at.ShouldBeGreaterThan(0);
        der[at] = (byte)'D'; // same length, different subject: structure intact, signature no longer matches
        var tampered = PemEncoding.WriteString("CERTIFICATE REQUEST", der);

        var ex = Should.Throw<CertificateRequestRejectedException>(() => Ca.SignRequest(tampered, AgentPolicy));

        ex.Reason.ShouldBe(CsrRejectionReason.InvalidSignature);
        ex.Message.ShouldBe("The CSR's signature does not verify with its public key (the request was altered or is not self-signed).");
    }

    [Fact]
    public void RSA_1024_key_is_refused_as_weak()
    {
        using var key = RSA.Create(1024);

        var ex = Should.Throw<CertificateRequestRejectedException>(() => Ca.SignRequest(SigningRequests.Create(key, "x"), AgentPolicy));

        ex.Reason.ShouldBe(CsrRejectionReason.WeakKey);
        ex.Message.ShouldBe("The RSA key has 1024 bits; between 2048 and 4096 are accepted.");
    }

    [Fact]
    public void P521_key_is_refused_by_the_default_curve_list()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP521);

        var ex = Should.Throw<CertificateRequestRejectedException>(() => Ca.SignRequest(SigningRequests.Create(key, "x"), AgentPolicy));

        ex.Reason.ShouldBe(CsrRejectionReason.WeakKey);
        ex.Message.ShouldBe("The EC curve '1.3.132.0.35' is not accepted; use P-256 or P-384.");
    }

    [Fact]
    public void RSA_is_refused_when_the_policy_allows_only_ECDSA()
    {
        var ex = Should.Throw<CertificateRequestRejectedException>(() => Ca.SignRequest(SigningRequests.Create(Rsa2048.Value, "x"), AgentPolicy with { AllowRsa = false }));

        ex.Reason.ShouldBe(CsrRejectionReason.UnsupportedKeyAlgorithm);
        ex.Message.ShouldBe("RSA keys are not accepted by this policy; use ECDSA P-256.");
    }

    [Fact]
    public void SAN_kinds_the_policy_never_grants_are_refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(Identity.ToUri());
        san.AddEmailAddress("root@example.com");
        request.CertificateExtensions.Add(san.Build());

        var ex = Should.Throw<CertificateRequestRejectedException>(() => Ca.SignRequest(request.CreateSigningRequestPem(), AgentPolicy));

        ex.Reason.ShouldBe(CsrRejectionReason.SanNotAllowed);
        ex.Message.ShouldBe("The CSR asks for SAN types this policy never grants (tags [1]).");
    }

    [Fact]
    public void Extra_DNS_SAN_is_refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = SigningRequests.Create(key, "x", uris: [Identity.ToUri()], dnsNames: ["api.openchoreo.localhost"]);

        var ex = Should.Throw<CertificateRequestRejectedException>(() => Ca.SignRequest(csr, AgentPolicy));

        ex.Reason.ShouldBe(CsrRejectionReason.SanNotAllowed);
        ex.Message.ShouldBe("The DNS SAN 'api.openchoreo.localhost' is not allowed by the signing policy.");
    }

    [Fact]
    public void Another_planes_identity_URI_is_refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = SigningRequests.Create(key, "x", uris: [new Uri("spiffe://openchoreo/ns/other-org/dataplane/prod-eu")]);

        var ex = Should.Throw<CertificateRequestRejectedException>(() => Ca.SignRequest(csr, AgentPolicy));

        ex.Reason.ShouldBe(CsrRejectionReason.SanNotAllowed);
        ex.Message.ShouldBe("The URI SAN 'spiffe://openchoreo/ns/other-org/dataplane/prod-eu' is not allowed by the signing policy.");
    }

    [Fact]
    public void Extra_IP_SAN_is_refused_and_an_allowed_one_is_accepted()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = SigningRequests.Create(key, "x", ipAddresses: [IPAddress.Parse("127.0.0.2")]);

        Should.Throw<CertificateRequestRejectedException>(() => Ca.SignRequest(csr, AgentPolicy))
            .Message.ShouldBe("The IP SAN '127.0.0.2' is not allowed by the signing policy.");
        using var cert = Ca.SignRequest(csr, AgentPolicy with { IpAddresses = [IPAddress.Parse("127.0.0.2")] }).Certificate;
        cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateIPAddresses().ShouldBe([IPAddress.Parse("127.0.0.2")]);
    }

    [Fact]
    public void Lifetime_over_the_maximum_is_refused()
    {
        var (key, csr) = SigningRequests.ForPlane(Identity);
        key.Dispose();

        var ex = Should.Throw<CertificateRequestRejectedException>(() => Ca.SignRequest(csr, AgentPolicy, TimeSpan.FromDays(30)));

        ex.Reason.ShouldBe(CsrRejectionReason.LifetimeTooLong);
        ex.Message.ShouldBe("The requested lifetime 30.00:00:00 exceeds the maximum of 7.00:00:00.");
    }

    [Theory]
    [InlineData("not a csr")]
    [InlineData("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----")]
    public void Garbage_is_refused_as_malformed(string csr)
    {
        var ex = Should.Throw<CertificateRequestRejectedException>(() => Ca.SignRequest(csr, AgentPolicy));

        ex.Reason.ShouldBe(CsrRejectionReason.Malformed);
        ex.Message.ShouldBe("The CSR is not a valid PEM-encoded PKCS#10 request.");
    }

    [Fact]
    public void Oversized_CSR_is_refused_before_parsing()
    {
        var ex = Should.Throw<CertificateRequestRejectedException>(() => Ca.SignRequest(new string('A', CertificateAuthority.MaxCsrPemLength + 1), AgentPolicy));

        ex.Reason.ShouldBe(CsrRejectionReason.Malformed);
        ex.Message.ShouldBe("The CSR is larger than 16384 characters.");
    }

    [Fact]
    public void Invalid_policy_is_refused()
    {
        var (key, csr) = SigningRequests.ForPlane(Identity);
        key.Dispose();

        Should.Throw<ArgumentException>(() => Ca.SignRequest(csr, AgentPolicy with { MinRsaKeySize = 1024 }))
            .Message.ShouldStartWith("MinRsaKeySize must be at least 2048.");
        Should.Throw<ArgumentException>(() => Ca.SignRequest(csr, AgentPolicy with { MaxLifetime = TimeSpan.FromHours(1) }))
            .Message.ShouldStartWith("MaxLifetime must not be shorter than DefaultLifetime.");
    }
}
