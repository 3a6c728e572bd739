using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace OpenChoreo.Cli.Doctor;

/// <summary>What <c>occ doctor</c> checks beyond the control plane it is connected to.</summary>
public sealed record DoctorOptions
{
    /// <summary>Base domain D: checks openchoreo.D, api.openchoreo.D, thunder.openchoreo.D, registry and app hosts.</summary>
    public string? Domain { get; init; }

    /// <summary>Ask this DNS server instead of the system resolver (e.g. before the zone is delegated).</summary>
    public IPEndPoint? DnsServer { get; init; }

    public int HttpsPort { get; init; } = 443;

    public int AppsHttpsPort { get; init; } = 443;

    /// <summary>Roots trusted in addition to the system store (e.g. the platform CA, a test ACME CA).</summary>
    public X509Certificate2Collection ExtraRoots { get; init; } = [];

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Without a known start, certificates expiring sooner than this are a warning; within <see cref="ExpiryFail"/>
    /// any certificate is a failure.
    /// </summary>
    public TimeSpan ExpiryWarn { get; init; } = TimeSpan.FromDays(30);

    public TimeSpan ExpiryFail { get; init; } = TimeSpan.FromDays(7);
}
