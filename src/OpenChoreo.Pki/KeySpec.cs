using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenChoreo.Pki;

/// <summary>The key algorithms the platform issues and accepts.</summary>
public enum KeySpec
{
    EcdsaP256,
    EcdsaP384,
    Rsa2048,
    Rsa3072,
    Rsa4096,
}

internal static class KeySpecs
{
    public static AsymmetricAlgorithm Generate(KeySpec spec) => spec switch
    {
        KeySpec.EcdsaP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        KeySpec.EcdsaP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        KeySpec.Rsa2048 => RSA.Create(2048),
        KeySpec.Rsa3072 => RSA.Create(3072),
        KeySpec.Rsa4096 => RSA.Create(4096),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec, "unknown key spec"),
    };

    /// <summary>The signature hash that matches a signing key's strength.</summary>
    public static HashAlgorithmName HashFor(AsymmetricAlgorithm key) =>
        key is ECDsa { KeySize: >= 384 } ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;

    public static X509SignatureGenerator SignerFor(AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        _ => throw new NotSupportedException($"unsupported key algorithm {key.GetType().Name}"),
    };

    /// <summary>Key usage bits a leaf needs for TLS with this key type (RSA key exchange needs keyEncipherment).</summary>
    public static X509KeyUsageFlags LeafKeyUsage(PublicKey key) =>
        key.Oid.Value == Oids.Rsa
            ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment
            : X509KeyUsageFlags.DigitalSignature;
}

internal static class Oids
{
    public const string Rsa = "1.2.840.113549.1.1.1";
    public const string EcPublicKey = "1.2.840.10045.2.1";
    public const string P256 = "1.2.840.10045.3.1.7";
    public const string P384 = "1.3.132.0.34";
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    public const string SubjectAltName = "2.5.29.17";
    public const string BasicConstraints = "2.5.29.19";
    public const string KeyUsage = "2.5.29.15";
    public const string ExtendedKeyUsage = "2.5.29.37";
}
