namespace OpenChoreo.Pki;

/// <summary>How a new certificate authority is created.</summary>
public sealed record CertificateAuthorityOptions
{
    public string CommonName { get; init; } = "OpenChoreo Platform CA";
    public string? Organization { get; init; } = "OpenChoreo";
    public KeySpec KeySpec { get; init; } = KeySpec.EcdsaP256;

    /// <summary>How long the CA certificate is valid. Ten years by default; rotate well before it ends.</summary>
    public TimeSpan Validity { get; init; } = TimeSpan.FromDays(3650);

    /// <summary>The basic-constraints path length: 0 means the CA signs only leaves. Null leaves it unconstrained.</summary>
    public int? PathLengthConstraint { get; init; } = 0;

    /// <summary>Backdating of notBefore for clocks that run slightly behind.</summary>
    public TimeSpan ClockSkewAllowance { get; init; } = TimeSpan.FromMinutes(5);

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(CommonName)) throw new ArgumentException("CommonName must not be empty.", nameof(CommonName));
        if (Validity <= TimeSpan.Zero) throw new ArgumentException("Validity must be positive.", nameof(Validity));
        if (PathLengthConstraint is < 0) throw new ArgumentException("PathLengthConstraint must not be negative.", nameof(PathLengthConstraint));
        if (ClockSkewAllowance < TimeSpan.Zero) throw new ArgumentException("ClockSkewAllowance must not be negative.", nameof(ClockSkewAllowance));
    }
}
