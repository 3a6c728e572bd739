using System.Net;

namespace OpenChoreo.Pki;

/// <summary>
/// Decides everything about a certificate signed from a CSR: subject, SANs, usage and lifetime come from here; the CSR
/// contributes only its public key. SANs requested in the CSR must be a subset of the policy's, or the CSR is refused.
/// </summary>
public sealed record SigningPolicy
{
    public required string CommonName { get; init; }
    public string? Organization { get; init; }
    public IReadOnlyList<Uri> Uris { get; init; } = [];
    public IReadOnlyList<string> DnsNames { get; init; } = [];
    public IReadOnlyList<IPAddress> IpAddresses { get; init; } = [];
    public CertificateUsage Usage { get; init; } = CertificateUsage.ClientAuth;

    /// <summary>The lifetime used when the caller asks for none.</summary>
    public TimeSpan DefaultLifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Requests for a longer lifetime are refused.</summary>
    public TimeSpan MaxLifetime { get; init; } = TimeSpan.FromDays(7);

    public int MinRsaKeySize { get; init; } = 2048;
    public int MaxRsaKeySize { get; init; } = 4096;
    public bool AllowRsa { get; init; } = true;

    /// <summary>Accepted EC curves by OID (P-256 and P-384 by default).</summary>
    public IReadOnlyList<string> AllowedCurveOids { get; init; } = [Oids.P256, Oids.P384];

    /// <summary>The policy for a plane agent: a client certificate whose only identity is the plane's URI SAN.</summary>
    public static SigningPolicy ForPlaneAgent(PlaneIdentity identity, TimeSpan? lifetime = null)
    {
        var life = lifetime ?? TimeSpan.FromHours(24);
        return new()
        {
            CommonName = identity.CommonName,
            Organization = identity.Organization,
            Uris = [identity.ToUri()],
            Usage = CertificateUsage.ClientAuth,
            DefaultLifetime = life,
            MaxLifetime = life > TimeSpan.FromDays(7) ? life : TimeSpan.FromDays(7),
        };
    }

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(CommonName)) throw new ArgumentException("CommonName must not be empty.", nameof(CommonName));
        if (DefaultLifetime <= TimeSpan.Zero) throw new ArgumentException("DefaultLifetime must be positive.", nameof(DefaultLifetime));
        if (MaxLifetime < DefaultLifetime) throw new ArgumentException("MaxLifetime must not be shorter than DefaultLifetime.", nameof(MaxLifetime));
        if (MinRsaKeySize < 2048) throw new ArgumentException("MinRsaKeySize must be at least 2048.", nameof(MinRsaKeySize));
    }
}
