using System.ComponentModel.DataAnnotations;

namespace OpenChoreo.Certificates;

/// <summary>Settings of the certificate controllers (section <c>certificates</c>).</summary>
public sealed class CertificatesOptions
{
    public const string Section = "certificates";

    /// <summary>The namespace whose Secrets ClusterIssuers name (account keys, CA key pairs, DNS credentials).</summary>
    [Required]
    public string ClusterResourceNamespace { get; set; } = "openchoreo-system";

    /// <summary>First wait after a failed issuance; doubled per consecutive failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Lifetime when a Certificate gives no duration (90 days, as ACME CAs issue).</summary>
    public TimeSpan DefaultDuration { get; set; } = TimeSpan.FromHours(2160);

    /// <summary>Longest single wait before looking at a valid certificate again (timers are not persistent).</summary>
    public TimeSpan MaxRequeue { get; set; } = TimeSpan.FromHours(12);

    /// <summary>ACME polling: first interval, cap and deadline for authorizations and orders.</summary>
    public TimeSpan AcmePollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan AcmeMaxPollInterval { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan AcmePollTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Transport retries inside one ACME attempt (the controller's backoff comes on top).</summary>
    [Range(0, 10)]
    public int AcmeTransportRetries { get; set; } = 2;

    public TimeSpan AcmeRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an RFC 2136 / provider TXT record may take to be served.</summary>
    public TimeSpan DnsPropagationTimeout { get; set; } = TimeSpan.FromSeconds(60);

    internal TimeSpan Backoff(long failures)
    {
        if (failures <= 0) return TimeSpan.Zero;
        var ticks = InitialBackoff.Ticks * Math.Pow(2, Math.Min(failures - 1, 30));
        return ticks >= MaxBackoff.Ticks ? MaxBackoff : TimeSpan.FromTicks((long)ticks);
    }
}
