using System.Security.Cryptography;
using OpenChoreo.Testing;
using static OpenChoreo.Pki.Tests.Fixtures;

namespace OpenChoreo.Pki.Tests;

public sealed class TrustBundleTests
{
    [Fact]
    public void Certificate_from_a_bundled_CA_is_trusted_and_the_root_is_reported()
    {
        using var leaf = AgentCertificate(Ca).Certificate;

        var result = Bundle(OtherCa, Ca).Verify(leaf, CertificateUsage.ClientAuth, DateTimeOffset.UtcNow);

        result.IsTrusted.ShouldBeTrue();
        result.Root!.Thumbprint.ShouldBe(Ca.Certificate.Thumbprint);
        result.ToString().ShouldBe("trusted");
    }

    [Fact]
    public void Reasons_are_specific_expired_not_yet_valid_untrusted_wrong_usage()
    {
        using var leaf = AgentCertificate(Ca).Certificate;
        var bundle = Bundle(Ca);
        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);

        var expired = bundle.Verify(leaf, CertificateUsage.ClientAuth, notAfter.AddSeconds(1));
        expired.Failure.ShouldBe(ChainFailure.Expired);
        expired.Message.ShouldBe($"'CN=dataplane/prod-eu' expired at {leaf.NotAfter.ToUniversalTime():O}.");

        var early = bundle.Verify(leaf, CertificateUsage.ClientAuth, DateTimeOffset.UtcNow.AddDays(-1));
        early.Failure.ShouldBe(ChainFailure.NotYetValid);
        early.Message.ShouldStartWith("'CN=dataplane/prod-eu' is not valid before ");

        var untrusted = Bundle(OtherCa).Verify(leaf, CertificateUsage.ClientAuth, DateTimeOffset.UtcNow);
        untrusted.Failure.ShouldBe(ChainFailure.UntrustedRoot);
        untrusted.Message.ShouldBe("'CN=dataplane/prod-eu' (issued by 'CN=Test Platform CA, O=OpenChoreo') does not chain to a CA in the trust bundle.");

        var usage = bundle.Verify(leaf, CertificateUsage.ServerAuth, DateTimeOffset.UtcNow);
        usage.Failure.ShouldBe(ChainFailure.WrongUsage);
        usage.Message.ShouldBe("'CN=dataplane/prod-eu' lacks the serverAuth extended key usage.");

        TrustBundle.Empty.Verify(leaf, CertificateUsage.ClientAuth, DateTimeOffset.UtcNow).Message.ShouldBe("The trust bundle is empty.");
    }

    [Fact]
    public void A_CA_certificate_is_not_accepted_as_a_peer_certificate()
    {
        var result = Bundle(Ca).Verify(Ca.Certificate, CertificateUsage.ClientAuth, DateTimeOffset.UtcNow);

        result.Failure.ShouldBe(ChainFailure.NotALeaf);
    }

    [Fact]
    public void Revocation_deny_list_is_applied()
    {
        using var leaf = AgentCertificate(Ca).Certificate;

        var result = Bundle(Ca).Verify(leaf, CertificateUsage.ClientAuth, DateTimeOffset.UtcNow, isRevoked: c => c.SerialNumber == leaf.SerialNumber);

        result.Failure.ShouldBe(ChainFailure.Revoked);
        result.Message.ShouldBe($"'CN=dataplane/prod-eu' (serial {leaf.SerialNumber}) is revoked.");
    }

    [Fact]
    public void Intermediate_CA_sent_by_the_peer_completes_the_chain()
    {
        using var root = CertificateAuthority.Create(new() { CommonName = "Root", PathLengthConstraint = 1 });
        using var intermediate = IntermediateOf(root);
        using var leaf = AgentCertificate(intermediate).Certificate;

        Bundle(root).Verify(leaf, CertificateUsage.ClientAuth, DateTimeOffset.UtcNow).Failure.ShouldBe(ChainFailure.UntrustedRoot);
        Bundle(root).Verify(leaf, CertificateUsage.ClientAuth, DateTimeOffset.UtcNow, [intermediate.Certificate]).IsTrusted.ShouldBeTrue();
    }

    [Fact]
    public void Path_length_zero_on_the_root_forbids_intermediates()
    {
        using var intermediate = IntermediateOf(Ca); // Ca has pathLenConstraint 0
        using var leaf = AgentCertificate(intermediate).Certificate;

        var result = Bundle(Ca).Verify(leaf, CertificateUsage.ClientAuth, DateTimeOffset.UtcNow, [intermediate.Certificate]);

        result.Failure.ShouldBe(ChainFailure.Invalid);
        result.Message.ShouldContain("InvalidBasicConstraints");
    }

    [Fact]
    public void PEM_round_trip_keeps_order_and_removes_duplicates()
    {
        var bundle = new TrustBundle([Ca.Certificate, OtherCa.Certificate, Ca.Certificate]);

        var again = TrustBundle.FromPem(bundle.ToPem());

        again.Authorities.Select(c => c.Thumbprint).ShouldBe([Ca.Certificate.Thumbprint, OtherCa.Certificate.Thumbprint]);
        again.Without(Ca.Certificate).Authorities.ShouldHaveSingleItem().Thumbprint.ShouldBe(OtherCa.Certificate.Thumbprint);
        again.Contains(OtherCa.Certificate).ShouldBeTrue();
    }

    [Fact]
    public void A_leaf_certificate_cannot_be_a_trust_anchor()
    {
        using var leaf = AgentCertificate(Ca).Certificate;

        Should.Throw<CryptographicException>(() => new TrustBundle([leaf]))
            .Message.ShouldBe("'CN=dataplane/prod-eu' is not a CA certificate and cannot be a trust anchor.");
    }

    private static CertificateAuthority IntermediateOf(CertificateAuthority root)
    {
        // Issued by hand: the platform CA API only issues leaves.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Intermediate", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, true, 0, true));
        req.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509KeyUsageExtension(
            System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.KeyCertSign, true));
        req.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var cert = req.Create(root.Certificate.SubjectName,
            System.Security.Cryptography.X509Certificates.X509SignatureGenerator.CreateForECDsa((ECDsa)root.PrivateKey),
            now.AddMinutes(-1), now.AddDays(1), [1, 2, 3, 4, 5, 6, 7, 8]);
        return CertificateAuthority.LoadFromPem(Pem.WriteCertificate(cert), Pem.WritePrivateKey(key));
    }
}
