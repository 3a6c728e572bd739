using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace OpenChoreo.Pki;

/// <summary>PEM reading and writing for certificates, chains, PKCS#8 private keys and PKCS#10 requests.</summary>
public static class Pem
{
    /// <summary>Upper bound for PEM text accepted from files or peers (a long chain stays far below).</summary>
    public const int MaxPemLength = 1024 * 1024;

    public const int MaxCertificatesPerPem = 64;

    public static string WriteCertificate(X509Certificate2 certificate) =>
        PemEncoding.WriteString("CERTIFICATE", certificate.RawData) + "\n";

    public static string WriteCertificates(IEnumerable<X509Certificate2> certificates)
    {
        var sb = new StringBuilder();
        foreach (var c in certificates) sb.Append(WriteCertificate(c));
        return sb.ToString();
    }

    /// <summary>Reads the first certificate; throws <see cref="CryptographicException"/> when there is none.</summary>
    public static X509Certificate2 ReadCertificate(string pem) =>
        ReadCertificates(pem) is [var first, ..] ? first : throw new CryptographicException("The PEM text holds no CERTIFICATE block.");

    /// <summary>Reads every CERTIFICATE block in order, ignoring other blocks (keys are never read by accident).</summary>
    public static IReadOnlyList<X509Certificate2> ReadCertificates(string pem)
    {
        CheckLength(pem);
        var result = new List<X509Certificate2>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                if (result.Count == MaxCertificatesPerPem)
                    throw new CryptographicException($"The PEM text holds more than {MaxCertificatesPerPem} certificates.");
                var der = Convert.FromBase64String(rest[fields.Base64Data].ToString());
                result.Add(X509CertificateLoader.LoadCertificate(der));
            }
            rest = rest[fields.Location.End.GetOffset(rest.Length)..];
        }
        return result;
    }

    public static string WritePrivateKey(AsymmetricAlgorithm key) => key.ExportPkcs8PrivateKeyPem() + "\n";

    public static string WritePrivateKey(X509Certificate2 certificate) =>
        WritePrivateKey((AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
            ?? throw new CryptographicException("The certificate has no ECDSA or RSA private key."));

    /// <summary>Reads an unencrypted PKCS#8 ("PRIVATE KEY") ECDSA or RSA key.</summary>
    public static AsymmetricAlgorithm ReadPrivateKey(string pem)
    {
        CheckLength(pem);
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[fields.Label].SequenceEqual("PRIVATE KEY"))
                return ImportPkcs8(Convert.FromBase64String(rest[fields.Base64Data].ToString()));
            rest = rest[fields.Location.End.GetOffset(rest.Length)..];
        }
        throw new CryptographicException("The PEM text holds no PKCS#8 'PRIVATE KEY' block.");
    }

    /// <summary>Imports a PKCS#8 PrivateKeyInfo, choosing the algorithm from its AlgorithmIdentifier.</summary>
    public static AsymmetricAlgorithm ImportPkcs8(ReadOnlySpan<byte> der)
    {
        string oid;
        try
        {
            var reader = new AsnReader(der.ToArray(), AsnEncodingRules.BER).ReadSequence();
            reader.ReadInteger();
            oid = reader.ReadSequence().ReadObjectIdentifier();
        }
        catch (AsnContentException ex)
        {
            throw new CryptographicException("The private key is not a valid PKCS#8 structure.", ex);
        }
        AsymmetricAlgorithm key = oid switch
        {
            Oids.EcPublicKey => ECDsa.Create(),
            Oids.Rsa => RSA.Create(),
            _ => throw new CryptographicException($"Unsupported private key algorithm '{oid}'."),
        };
        try
        {
            key.ImportPkcs8PrivateKey(der, out _);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Writes a CSR (PEM "CERTIFICATE REQUEST"); the request must have been made with its private key.</summary>
    public static string WriteCertificateRequest(CertificateRequest request) => request.CreateSigningRequestPem() + "\n";

    /// <summary>Combines a certificate and its key from PEM into a certificate usable by SslStream and Kestrel.</summary>
    public static X509Certificate2 LoadCertificateWithKey(string certificatePem, string privateKeyPem)
    {
        using var cert = ReadCertificate(certificatePem);
        using var key = ReadPrivateKey(privateKeyPem);
        var combined = key switch
        {
            ECDsa ec => cert.CopyWithPrivateKey(ec),
            RSA rsa => cert.CopyWithPrivateKey(rsa),
            _ => throw new CryptographicException("Unsupported key type."),
        };
        return Persistable(combined);
    }

    /// <summary>
    /// Re-imports a certificate with its key through PKCS#12: a certificate joined to an in-memory key by
    /// CopyWithPrivateKey is not accepted as a TLS server certificate on every platform (Windows in particular).
    /// </summary>
    internal static X509Certificate2 Persistable(X509Certificate2 certWithKey)
    {
        using (certWithKey)
        {
            var pfx = certWithKey.Export(X509ContentType.Pkcs12);
            try
            {
                return X509CertificateLoader.LoadPkcs12(pfx, password: null, X509KeyStorageFlags.Exportable);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pfx);
            }
        }
    }

    private static void CheckLength(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (pem.Length > MaxPemLength) throw new CryptographicException($"The PEM text is larger than {MaxPemLength} characters.");
    }
}
