using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenChoreo.Pki;

/// <summary>
/// The CA certificates a party trusts — several during a CA rotation (old and new). Immutable: rotation publishes a new
/// bundle, and validators read the current one through a <c>Func&lt;TrustBundle&gt;</c>, so swapping it needs no restart.
/// Verification uses only these roots (never the system store) and does not download anything.
/// </summary>
public sealed class TrustBundle
{
    public static readonly TrustBundle Empty = new([]);

    private readonly X509Certificate2Collection _store;

    public TrustBundle(IEnumerable<X509Certificate2> authorities)
    {
        var list = new List<X509Certificate2>();
        foreach (var ca in authorities)
        {
            if (ca.Extensions[Oids.BasicConstraints] is not X509BasicConstraintsExtension { CertificateAuthority: true })
                throw new CryptographicException($"'{ca.Subject}' is not a CA certificate and cannot be a trust anchor.");
            if (!list.Any(c => c.RawData.AsSpan().SequenceEqual(ca.RawData))) list.Add(ca);
        }
        Authorities = list;
        _store = new X509Certificate2Collection(list.ToArray());
    }

    public IReadOnlyList<X509Certificate2> Authorities { get; }

    public static TrustBundle FromPem(string pem) => new(Pem.ReadCertificates(pem));

    public string ToPem() => Pem.WriteCertificates(Authorities);

    public bool Contains(X509Certificate2 ca) => Authorities.Any(c => c.RawData.AsSpan().SequenceEqual(ca.RawData));

    public TrustBundle With(X509Certificate2 ca) => new([.. Authorities, ca]);

    public TrustBundle Without(X509Certificate2 ca) => new(Authorities.Where(c => !c.RawData.AsSpan().SequenceEqual(ca.RawData)));

    /// <summary>
    /// Verifies <paramref name="leaf"/> (with any intermediates the peer sent) against this bundle at
    /// <paramref name="at"/>, requiring <paramref name="usage"/> in its extended key usage.
    /// Revocation: the platform CA publishes no CRL, so revocation is a deny-list decided by <paramref name="isRevoked"/>.
    /// </summary>
    public ChainVerificationResult Verify(X509Certificate2 leaf, CertificateUsage usage, DateTimeOffset at,
        IEnumerable<X509Certificate2>? intermediates = null, Func<X509Certificate2, bool>? isRevoked = null)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        if (leaf.Extensions[Oids.BasicConstraints] is X509BasicConstraintsExtension { CertificateAuthority: true })
            return ChainVerificationResult.Fail(ChainFailure.NotALeaf, $"'{leaf.Subject}' is a CA certificate, not an end-entity certificate.");
        if (MissingUsage(leaf, usage) is { } missing)
            return ChainVerificationResult.Fail(ChainFailure.WrongUsage, $"'{leaf.Subject}' lacks the {missing} extended key usage.");
        if (Authorities.Count == 0)
            return ChainVerificationResult.Fail(ChainFailure.UntrustedRoot, "The trust bundle is empty.");

        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(_store);
        if (intermediates is not null)
            foreach (var c in intermediates)
                if (!c.RawData.AsSpan().SequenceEqual(leaf.RawData)) policy.ExtraStore.Add(c);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = at.UtcDateTime;
        policy.VerificationTimeIgnored = false;
        foreach (var oid in UsageOids(usage)) policy.ApplicationPolicy.Add(new Oid(oid));

        var built = chain.Build(leaf);
        var flags = X509ChainStatusFlags.NoError;
        foreach (var s in chain.ChainStatus) flags |= s.Status;
        foreach (var e in chain.ChainElements)
            foreach (var s in e.ChainElementStatus) flags |= s.Status;

        if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0 || chain.ChainElements.Count == 0)
            return ChainVerificationResult.Fail(ChainFailure.UntrustedRoot,
                $"'{leaf.Subject}' (issued by '{leaf.Issuer}') does not chain to a CA in the trust bundle.");
        var chainRoot = chain.ChainElements[^1].Certificate;
        // Report the bundle's own instance: the chain's certificates go away with the chain.
        var root = Authorities.FirstOrDefault(c => c.RawData.AsSpan().SequenceEqual(chainRoot.RawData));
        if (root is null)
            return ChainVerificationResult.Fail(ChainFailure.UntrustedRoot, $"'{leaf.Subject}' chains to '{chainRoot.Subject}', which is not in the trust bundle.");
        if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            foreach (var e in chain.ChainElements)
            {
                var cert = e.Certificate;
                if (at.UtcDateTime > cert.NotAfter.ToUniversalTime())
                    return ChainVerificationResult.Fail(ChainFailure.Expired, $"'{cert.Subject}' expired at {cert.NotAfter.ToUniversalTime():O}.");
                if (at.UtcDateTime < cert.NotBefore.ToUniversalTime())
                    return ChainVerificationResult.Fail(ChainFailure.NotYetValid, $"'{cert.Subject}' is not valid before {cert.NotBefore.ToUniversalTime():O}.");
            }
            return ChainVerificationResult.Fail(ChainFailure.Expired, $"A certificate in the chain of '{leaf.Subject}' is outside its validity period.");
        }
        if ((flags & X509ChainStatusFlags.NotValidForUsage) != 0)
            return ChainVerificationResult.Fail(ChainFailure.WrongUsage, $"The chain of '{leaf.Subject}' is not valid for {usage}.");
        if (!built || flags != X509ChainStatusFlags.NoError)
            return ChainVerificationResult.Fail(ChainFailure.Invalid, $"The chain of '{leaf.Subject}' is invalid: {flags}.");
        if (isRevoked is not null)
            foreach (var e in chain.ChainElements)
                if (isRevoked(e.Certificate))
                    return ChainVerificationResult.Fail(ChainFailure.Revoked, $"'{e.Certificate.Subject}' (serial {e.Certificate.SerialNumber}) is revoked.");
        return ChainVerificationResult.Trusted(root);
    }

    private static IEnumerable<string> UsageOids(CertificateUsage usage)
    {
        if (usage.HasFlag(CertificateUsage.ServerAuth)) yield return Oids.ServerAuth;
        if (usage.HasFlag(CertificateUsage.ClientAuth)) yield return Oids.ClientAuth;
    }

    /// <summary>
    /// Requires an explicit EKU: a certificate without the extension is technically valid for anything, which is too
    /// lax for plane credentials.
    /// </summary>
    private static string? MissingUsage(X509Certificate2 leaf, CertificateUsage usage)
    {
        var present = leaf.Extensions[Oids.ExtendedKeyUsage] is X509EnhancedKeyUsageExtension eku
            ? eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToHashSet()
            : [];
        if (usage.HasFlag(CertificateUsage.ServerAuth) && !present.Contains(Oids.ServerAuth)) return "serverAuth";
        if (usage.HasFlag(CertificateUsage.ClientAuth) && !present.Contains(Oids.ClientAuth)) return "clientAuth";
        return null;
    }
}
