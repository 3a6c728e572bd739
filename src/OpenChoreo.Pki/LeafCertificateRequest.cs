using System.Net;

namespace OpenChoreo.Pki;

/// <summary>A certificate the CA issues together with a fresh key pair (for its own servers and for tests).</summary>
public sealed record LeafCertificateRequest
{
    /// <summary>The subject common name; defaults to the first DNS name, URI or IP address.</summary>
    public string? CommonName { get; init; }
    public IReadOnlyList<string> DnsNames { get; init; } = [];
    public IReadOnlyList<IPAddress> IpAddresses { get; init; } = [];
    public IReadOnlyList<Uri> Uris { get; init; } = [];
    public CertificateUsage Usage { get; init; } = CertificateUsage.ServerAuth;
    public KeySpec KeySpec { get; init; } = KeySpec.EcdsaP256;
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromDays(90);

    /// <summary>Explicit validity window; when set it wins over <see cref="Lifetime"/> (used for tests of expiry).</summary>
    public DateTimeOffset? NotBefore { get; init; }
    public DateTimeOffset? NotAfter { get; init; }
}
