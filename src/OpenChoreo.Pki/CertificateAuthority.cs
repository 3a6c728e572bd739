using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenChoreo.Pki;

/// <summary>
/// A certificate authority: a CA certificate with its private key. Issues server and client leaves (with fresh keys)
/// and signs CSRs under a <see cref="SigningPolicy"/>. Instances are immutable and thread-safe.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    /// <summary>Upper bound for a CSR in PEM; a real one is well under 4 KiB.</summary>
    public const int MaxCsrPemLength = 16 * 1024;

    private readonly AsymmetricAlgorithm _key;
    private readonly TimeProvider _time;
    private readonly TimeSpan _skew;

    private CertificateAuthority(X509Certificate2 certificate, AsymmetricAlgorithm key, TimeProvider time, TimeSpan skew)
    {
        Certificate = certificate;
        _key = key;
        _time = time;
        _skew = skew;
    }

    /// <summary>The CA certificate (public part only).</summary>
    public X509Certificate2 Certificate { get; }

    public string CertificatePem => Pem.WriteCertificate(Certificate);

    /// <summary>The CA private key as PKCS#8 PEM. Treat as a secret: store it only through <see cref="KeyStore"/>.</summary>
    public string ExportPrivateKeyPem() => Pem.WritePrivateKey(_key);

    internal AsymmetricAlgorithm PrivateKey => _key;

    /// <summary>Creates a self-signed root CA.</summary>
    public static CertificateAuthority Create(CertificateAuthorityOptions? options = null, TimeProvider? time = null)
    {
        options ??= new();
        options.Validate();
        time ??= TimeProvider.System;
        var key = KeySpecs.Generate(options.KeySpec);
        var subject = BuildName(options.CommonName, options.Organization);
        var request = NewRequest(subject, key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(
            certificateAuthority: true, hasPathLengthConstraint: options.PathLengthConstraint.HasValue,
            pathLengthConstraint: options.PathLengthConstraint ?? 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        var ski = new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false);
        request.CertificateExtensions.Add(ski);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));

        var now = Truncate(time.GetUtcNow());
        using var selfSigned = request.Create(subject, KeySpecs.SignerFor(key), now - options.ClockSkewAllowance, now + options.Validity, NewSerial());
        var publicOnly = X509CertificateLoader.LoadCertificate(selfSigned.RawData);
        return new CertificateAuthority(publicOnly, key, time, options.ClockSkewAllowance);
    }

    /// <summary>Loads a CA from its certificate and PKCS#8 private key in PEM; refuses a non-CA or a mismatched key.</summary>
    public static CertificateAuthority LoadFromPem(string certificatePem, string privateKeyPem, TimeProvider? time = null, TimeSpan? clockSkewAllowance = null)
    {
        var cert = Pem.ReadCertificate(certificatePem);
        var key = Pem.ReadPrivateKey(privateKeyPem);
        return Load(cert, key, time, clockSkewAllowance);
    }

    /// <summary>Wraps a CA certificate and its private key (the CA takes ownership of both).</summary>
    public static CertificateAuthority Load(X509Certificate2 cert, AsymmetricAlgorithm key, TimeProvider? time = null, TimeSpan? clockSkewAllowance = null)
    {
        if (cert.Extensions[Oids.BasicConstraints] is not X509BasicConstraintsExtension { CertificateAuthority: true })
            throw new CryptographicException($"The certificate '{cert.Subject}' is not a CA certificate (basicConstraints cA is not set).");
        if (cert.Extensions[Oids.KeyUsage] is X509KeyUsageExtension ku && !ku.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
            throw new CryptographicException($"The certificate '{cert.Subject}' may not sign certificates (keyUsage lacks keyCertSign).");
        if (!PublicKeyMatches(cert, key))
            throw new CryptographicException($"The private key does not belong to the CA certificate '{cert.Subject}'.");
        return new CertificateAuthority(cert, key, time ?? TimeProvider.System, clockSkewAllowance ?? TimeSpan.FromMinutes(5));
    }

    public IssuedCertificate IssueServerCertificate(LeafCertificateRequest request) =>
        Issue(request with { Usage = CertificateUsage.ServerAuth });

    public IssuedCertificate IssueClientCertificate(LeafCertificateRequest request) =>
        Issue(request with { Usage = CertificateUsage.ClientAuth });

    /// <summary>Issues a leaf with a fresh key pair; the returned certificate carries its key and works with SslStream.</summary>
    public IssuedCertificate Issue(LeafCertificateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.DnsNames.Count + request.IpAddresses.Count + request.Uris.Count == 0)
            throw new ArgumentException("A leaf certificate needs at least one DNS name, IP address or URI.", nameof(request));
        if (request.Lifetime <= TimeSpan.Zero)
            throw new ArgumentException("Lifetime must be positive.", nameof(request));
        foreach (var dns in request.DnsNames) ValidateDnsName(dns);

        using var key = KeySpecs.Generate(request.KeySpec);
        var cn = request.CommonName ?? request.DnsNames.FirstOrDefault() ?? request.Uris.FirstOrDefault()?.ToString() ?? request.IpAddresses[0].ToString();
        var publicKey = new PublicKey(key);
        if (request.NotBefore.HasValue != request.NotAfter.HasValue)
            throw new ArgumentException("NotBefore and NotAfter must be given together.", nameof(request));
        var (notBefore, notAfter) = request.NotBefore is { } nb && request.NotAfter is { } na
            ? (Truncate(nb), Truncate(na))
            : Window(request.Lifetime);
        if (notAfter <= notBefore) throw new ArgumentException("NotAfter must be later than NotBefore.", nameof(request));

        using var cert = Sign(BuildName(cn, null), publicKey, request.DnsNames, request.IpAddresses, request.Uris, request.Usage, notBefore, notAfter);
        var withKey = key switch
        {
            ECDsa ec => cert.CopyWithPrivateKey(ec),
            RSA rsa => cert.CopyWithPrivateKey(rsa),
            _ => throw new NotSupportedException(),
        };
        return new IssuedCertificate(Pem.Persistable(withKey), [Certificate]);
    }

    /// <summary>
    /// Signs a PKCS#10 CSR under <paramref name="policy"/>. The CSR's signature, key type and size are checked and any
    /// SAN it asks for must be one the policy grants; subject, SANs, usage and lifetime in the result come from the policy.
    /// </summary>
    /// <exception cref="CertificateRequestRejectedException">The CSR was refused; <see cref="CertificateRequestRejectedException.Reason"/> says why.</exception>
    public IssuedCertificate SignRequest(string csrPem, SigningPolicy policy, TimeSpan? requestedLifetime = null)
    {
        ArgumentNullException.ThrowIfNull(csrPem);
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        if (csrPem.Length > MaxCsrPemLength)
            throw new CertificateRequestRejectedException(CsrRejectionReason.Malformed, $"The CSR is larger than {MaxCsrPemLength} characters.");

        var lifetime = requestedLifetime ?? policy.DefaultLifetime;
        if (lifetime <= TimeSpan.Zero)
            throw new CertificateRequestRejectedException(CsrRejectionReason.LifetimeTooLong, "The requested lifetime must be positive.");
        if (lifetime > policy.MaxLifetime)
            throw new CertificateRequestRejectedException(CsrRejectionReason.LifetimeTooLong,
                $"The requested lifetime {lifetime} exceeds the maximum of {policy.MaxLifetime}.");

        var csr = LoadCsr(csrPem);
        CheckKey(csr.PublicKey, policy);
        CheckRequestedNames(csr, policy);

        var (notBefore, notAfter) = Window(lifetime);
        var cert = Sign(BuildName(policy.CommonName, policy.Organization), csr.PublicKey,
            policy.DnsNames, policy.IpAddresses, policy.Uris, policy.Usage, notBefore, notAfter);
        return new IssuedCertificate(cert, [Certificate]);
    }

    private static CertificateRequest LoadCsr(string csrPem)
    {
        try
        {
            CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256,
                CertificateRequestLoadOptions.SkipSignatureValidation | CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions, RSASignaturePadding.Pkcs1);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or AsnContentException)
        {
            throw new CertificateRequestRejectedException(CsrRejectionReason.Malformed, "The CSR is not a valid PEM-encoded PKCS#10 request.", ex);
        }
        try
        {
            // Parsed fine above, so a failure here is the self-signature: proof that the requester holds the key.
            // Requested extensions are loaded only to be inspected; none is ever copied into the certificate.
            return CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256,
                CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException ex)
        {
            throw new CertificateRequestRejectedException(CsrRejectionReason.InvalidSignature,
                "The CSR's signature does not verify with its public key (the request was altered or is not self-signed).", ex);
        }
    }

    private static void CheckKey(PublicKey key, SigningPolicy policy)
    {
        switch (key.Oid.Value)
        {
            case Oids.Rsa:
                if (!policy.AllowRsa)
                    throw new CertificateRequestRejectedException(CsrRejectionReason.UnsupportedKeyAlgorithm, "RSA keys are not accepted by this policy; use ECDSA P-256.");
                using (var rsa = key.GetRSAPublicKey() ?? throw Malformed())
                {
                    if (rsa.KeySize < policy.MinRsaKeySize || rsa.KeySize > policy.MaxRsaKeySize)
                        throw new CertificateRequestRejectedException(CsrRejectionReason.WeakKey,
                            $"The RSA key has {rsa.KeySize} bits; between {policy.MinRsaKeySize} and {policy.MaxRsaKeySize} are accepted.");
                }
                break;
            case Oids.EcPublicKey:
                var curve = CurveOid(key);
                if (curve is null || !policy.AllowedCurveOids.Contains(curve))
                    throw new CertificateRequestRejectedException(CsrRejectionReason.WeakKey,
                        $"The EC curve '{curve ?? "explicit parameters"}' is not accepted; use P-256 or P-384.");
                break;
            default:
                throw new CertificateRequestRejectedException(CsrRejectionReason.UnsupportedKeyAlgorithm,
                    $"The key algorithm '{key.Oid.Value}' is not accepted; use ECDSA P-256 or RSA.");
        }

        static CertificateRequestRejectedException Malformed() =>
            new(CsrRejectionReason.Malformed, "The CSR's public key cannot be read.");
    }

    private static string? CurveOid(PublicKey key)
    {
        try
        {
            if (key.EncodedParameters?.RawData is not { } raw) return null;
            var reader = new AsnReader(raw, AsnEncodingRules.DER);
            return reader.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier) ? reader.ReadObjectIdentifier() : null;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static void CheckRequestedNames(CertificateRequest csr, SigningPolicy policy)
    {
        SubjectAlternativeNames requested;
        try
        {
            requested = SubjectAlternativeNames.From(csr.CertificateExtensions);
        }
        catch (AsnContentException ex)
        {
            throw new CertificateRequestRejectedException(CsrRejectionReason.Malformed, "The CSR's subjectAltName extension is malformed.", ex);
        }
        if (requested.Other.Count > 0)
            throw new CertificateRequestRejectedException(CsrRejectionReason.SanNotAllowed,
                $"The CSR asks for SAN types this policy never grants (tags {string.Join(", ", requested.Other)}).");
        foreach (var dns in requested.DnsNames)
            if (!policy.DnsNames.Contains(dns, StringComparer.OrdinalIgnoreCase))
                throw new CertificateRequestRejectedException(CsrRejectionReason.SanNotAllowed, $"The DNS SAN '{Trim(dns)}' is not allowed by the signing policy.");
        foreach (var ip in requested.IpAddresses)
            if (!policy.IpAddresses.Contains(ip))
                throw new CertificateRequestRejectedException(CsrRejectionReason.SanNotAllowed, $"The IP SAN '{ip}' is not allowed by the signing policy.");
        foreach (var uri in requested.Uris)
            if (!policy.Uris.Any(u => string.Equals(u.OriginalString, uri, StringComparison.Ordinal)))
                throw new CertificateRequestRejectedException(CsrRejectionReason.SanNotAllowed, $"The URI SAN '{Trim(uri)}' is not allowed by the signing policy.");

        static string Trim(string s) => s.Length <= 128 ? s : s[..128] + "…";
    }

    private X509Certificate2 Sign(X500DistinguishedName subject, PublicKey publicKey, IReadOnlyList<string> dnsNames,
        IReadOnlyList<IPAddress> ips, IReadOnlyList<Uri> uris, CertificateUsage usage, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest(subject, publicKey, KeySpecs.HashFor(_key),
            _key is RSA ? RSASignaturePadding.Pkcs1 : null);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(KeySpecs.LeafKeyUsage(publicKey), critical: true));
        var ekus = new OidCollection();
        if (usage.HasFlag(CertificateUsage.ServerAuth)) ekus.Add(new Oid(Oids.ServerAuth));
        if (usage.HasFlag(CertificateUsage.ClientAuth)) ekus.Add(new Oid(Oids.ClientAuth));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(ekus, critical: false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var d in dnsNames) san.AddDnsName(d);
        foreach (var ip in ips) san.AddIpAddress(ip);
        foreach (var u in uris) san.AddUri(u);
        // A subject that is only a SAN holder would need the extension critical; ours always has a CN, so it is not.
        request.CertificateExtensions.Add(san.Build(critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        // A leaf must not outlive its issuer: clamp into the CA's window (renewal then happens from the next CA).
        var caNotBefore = new DateTimeOffset(Certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var caNotAfter = new DateTimeOffset(Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        if (notBefore < caNotBefore) notBefore = caNotBefore;
        if (notAfter > caNotAfter) notAfter = caNotAfter;
        if (notAfter <= notBefore)
            throw new CryptographicException($"The CA '{Certificate.Subject}' is not valid during the requested window.");
        return request.Create(Certificate.SubjectName, KeySpecs.SignerFor(_key), notBefore, notAfter, NewSerial());
    }

    private (DateTimeOffset NotBefore, DateTimeOffset NotAfter) Window(TimeSpan lifetime)
    {
        var now = Truncate(_time.GetUtcNow());
        return (now - _skew, now + lifetime);
    }

    private static CertificateRequest NewRequest(X500DistinguishedName subject, AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => new CertificateRequest(subject, ec, KeySpecs.HashFor(ec)),
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        _ => throw new NotSupportedException(),
    };

    internal static X500DistinguishedName BuildName(string commonName, string? organization)
    {
        // The builder writes RDNs in reverse order of adding: CN first here gives the usual "CN=…, O=…" reading.
        var b = new X500DistinguishedNameBuilder();
        b.AddCommonName(commonName.Length <= 64 ? commonName : commonName[..64]);
        if (!string.IsNullOrEmpty(organization)) b.AddOrganizationName(organization);
        return b.Build();
    }

    /// <summary>A positive 128-bit random serial (RFC 5280 allows up to 20 octets; CAB forum asks for 64+ random bits).</summary>
    internal static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }

    private static DateTimeOffset Truncate(DateTimeOffset t) =>
        new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static void ValidateDnsName(string dns)
    {
        var name = dns.StartsWith("*.", StringComparison.Ordinal) ? dns[2..] : dns;
        if (!OpenChoreo.Model.Names.IsDns1123Subdomain(name))
            throw new ArgumentException($"'{dns}' is not a valid DNS name for a certificate.", nameof(dns));
    }

    private static bool PublicKeyMatches(X509Certificate2 cert, AsymmetricAlgorithm key)
    {
        var certSpki = cert.PublicKey.ExportSubjectPublicKeyInfo();
        var keySpki = key switch
        {
            ECDsa ec => ec.ExportSubjectPublicKeyInfo(),
            RSA rsa => rsa.ExportSubjectPublicKeyInfo(),
            _ => [],
        };
        return CryptographicOperations.FixedTimeEquals(certSpki, keySpki);
    }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }
}
