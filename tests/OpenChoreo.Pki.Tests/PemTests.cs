using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using static OpenChoreo.Pki.Tests.Fixtures;

namespace OpenChoreo.Pki.Tests;

public sealed class PemTests
{
    [Fact]
    public void Chain_PEM_reads_certificates_in_order_and_skips_other_blocks()
    {
        var issued = AgentCertificate(Ca);
        var text = issued.PrivateKeyPem + issued.ChainPem;

        var certs = Pem.ReadCertificates(text);

        certs.Select(c => c.Thumbprint).ShouldBe([issued.Certificate.Thumbprint, Ca.Certificate.Thumbprint]);
        Pem.ReadCertificate(text).Thumbprint.ShouldBe(issued.Certificate.Thumbprint);
    }

    [Fact]
    public void Certificate_and_key_from_PEM_combine_into_a_usable_certificate()
    {
        var issued = AgentCertificate(Ca);

        using var combined = Pem.LoadCertificateWithKey(issued.CertificatePem, issued.PrivateKeyPem!);

        combined.HasPrivateKey.ShouldBeTrue();
        using var key = combined.GetECDsaPrivateKey()!;
        var data = "proof"u8.ToArray();
        combined.GetECDsaPublicKey()!.VerifyData(data, key.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256).ShouldBeTrue();
    }

    [Fact]
    public void RSA_private_key_round_trips_through_PKCS8_PEM()
    {
        using var rsa = (RSA)Pem.ReadPrivateKey(Pem.WritePrivateKey(Rsa2048.Value));

        rsa.ExportSubjectPublicKeyInfo().ShouldBe(Rsa2048.Value.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void Missing_blocks_and_oversized_input_are_refused_with_clear_messages()
    {
        Should.Throw<CryptographicException>(() => Pem.ReadCertificate(Ca.ExportPrivateKeyPem()))
            .Message.ShouldBe("The PEM text holds no CERTIFICATE block.");
        Should.Throw<CryptographicException>(() => Pem.ReadPrivateKey(Ca.CertificatePem))
            .Message.ShouldBe("The PEM text holds no PKCS#8 'PRIVATE KEY' block.");
        Should.Throw<CryptographicException>(() => Pem.ReadCertificates(new string('x', Pem.MaxPemLength + 1)))
            .Message.ShouldBe("The PEM text is larger than 1048576 characters.");
        var ed = PemEncoding.WriteString("PRIVATE KEY", [0x30, 0x05, 0x02, 0x01, 0x00, 0x30, 0x00]);
        Should.Throw<CryptographicException>(() => Pem.ReadPrivateKey(ed))
            .Message.ShouldBe("The private key is not a valid PKCS#8 structure.");
    }
}
