using System.Security.Cryptography.X509Certificates;

namespace OpenChoreo.Pki;

/// <summary>
/// When a certificate should be renewed: at a fraction of its lifetime (2/3 by default, as the design requires), or a
/// fixed time before it expires.
/// </summary>
public sealed class RenewalSchedule
{
    public static readonly RenewalSchedule Default = AtFraction(2.0 / 3.0);

    private readonly double? _fraction;
    private readonly TimeSpan? _renewBefore;

    private RenewalSchedule(double? fraction, TimeSpan? renewBefore)
    {
        _fraction = fraction;
        _renewBefore = renewBefore;
    }

    /// <summary>Renew once <paramref name="fraction"/> of the lifetime (0 &lt; fraction &lt; 1) has passed.</summary>
    public static RenewalSchedule AtFraction(double fraction)
    {
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "must be between 0 and 1 (exclusive)");
        return new(fraction, null);
    }

    /// <summary>Renew <paramref name="renewBefore"/> ahead of expiry (at notBefore at the latest).</summary>
    public static RenewalSchedule Before(TimeSpan renewBefore)
    {
        if (renewBefore <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(renewBefore), renewBefore, "must be positive");
        return new(null, renewBefore);
    }

    public DateTimeOffset RenewalTime(DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        if (notAfter <= notBefore) return notBefore;
        if (_fraction is { } f) return notBefore + (notAfter - notBefore) * f;
        var at = notAfter - _renewBefore!.Value;
        return at < notBefore ? notBefore : at;
    }

    public DateTimeOffset RenewalTime(X509Certificate2 certificate) =>
        RenewalTime(Utc(certificate.NotBefore), Utc(certificate.NotAfter));

    public bool NeedsRenewal(X509Certificate2 certificate, TimeProvider time) => time.GetUtcNow() >= RenewalTime(certificate);

    /// <summary>How long until renewal is due (zero when it already is): what a renewal loop waits.</summary>
    public TimeSpan DelayUntilRenewal(X509Certificate2 certificate, TimeProvider time)
    {
        var d = RenewalTime(certificate) - time.GetUtcNow();
        return d > TimeSpan.Zero ? d : TimeSpan.Zero;
    }

    private static DateTimeOffset Utc(DateTime t) => new(t.ToUniversalTime(), TimeSpan.Zero);
}
