using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenChoreo.Pki;

/// <summary>The requester's side of enrollment: make a key pair and a PKCS#10 CSR (the key never leaves the requester).</summary>
public static class SigningRequests
{
    /// <summary>A new key and a CSR for a plane agent, naming its identity URI (the CA decides what it really gets).</summary>
    public static (AsymmetricAlgorithm Key, string CsrPem) ForPlane(PlaneIdentity identity, KeySpec keySpec = KeySpec.EcdsaP256)
    {
        var key = KeySpecs.Generate(keySpec);
        return (key, Create(key, identity.CommonName, uris: [identity.ToUri()]));
    }

    /// <summary>A CSR signed by <paramref name="key"/> with the given subject CN and requested SANs.</summary>
    public static string Create(AsymmetricAlgorithm key, string commonName, IEnumerable<Uri>? uris = null,
        IEnumerable<string>? dnsNames = null, IEnumerable<IPAddress>? ipAddresses = null)
    {
        var subject = CertificateAuthority.BuildName(commonName, null);
        var request = key switch
        {
            ECDsa ec => new CertificateRequest(subject, ec, KeySpecs.HashFor(ec)),
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new NotSupportedException($"unsupported key algorithm {key.GetType().Name}"),
        };
        var san = new SubjectAlternativeNameBuilder();
        var any = false;
        foreach (var u in uris ?? []) { san.AddUri(u); any = true; }
        foreach (var d in dnsNames ?? []) { san.AddDnsName(d); any = true; }
        foreach (var ip in ipAddresses ?? []) { san.AddIpAddress(ip); any = true; }
        if (any) request.CertificateExtensions.Add(san.Build());
        return Pem.WriteCertificateRequest(request);
    }
}
