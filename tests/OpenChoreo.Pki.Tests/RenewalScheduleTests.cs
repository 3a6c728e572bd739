using OpenChoreo.Testing;
using static OpenChoreo.Pki.Tests.Fixtures;

namespace OpenChoreo.Pki.Tests;

public sealed class RenewalScheduleTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Default_renews_at_two_thirds_of_the_lifetime()
    {
        RenewalSchedule.Default.RenewalTime(Start, Start.AddHours(24)).ShouldBe(Start.AddHours(16));
    }

    [Fact]
    public void Fraction_and_renew_before_are_configurable()
    {
        RenewalSchedule.AtFraction(0.5).RenewalTime(Start, Start.AddDays(90)).ShouldBe(Start.AddDays(45));
        RenewalSchedule.Before(TimeSpan.FromDays(30)).RenewalTime(Start, Start.AddDays(90)).ShouldBe(Start.AddDays(60));
        RenewalSchedule.Before(TimeSpan.FromDays(300)).RenewalTime(Start, Start.AddDays(90)).ShouldBe(Start);
    }

    [Fact]
    public void NeedsRenewal_follows_the_clock_on_a_real_certificate()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var cert = Ca.IssueClientCertificate(new() { Uris = [Identity.ToUri()], Lifetime = TimeSpan.FromHours(24) }).Certificate;
        var renewAt = RenewalSchedule.Default.RenewalTime(cert);

        RenewalSchedule.Default.NeedsRenewal(cert, time).ShouldBeFalse();
        time.SetUtcNow(renewAt.AddSeconds(-1));
        RenewalSchedule.Default.NeedsRenewal(cert, time).ShouldBeFalse();
        RenewalSchedule.Default.DelayUntilRenewal(cert, time).ShouldBe(TimeSpan.FromSeconds(1));
        time.SetUtcNow(renewAt);
        RenewalSchedule.Default.NeedsRenewal(cert, time).ShouldBeTrue();
        RenewalSchedule.Default.DelayUntilRenewal(cert, time).ShouldBe(TimeSpan.Zero);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Fraction_outside_zero_and_one_is_refused(double fraction)
    {
        Should.Throw<ArgumentOutOfRangeException>(() => RenewalSchedule.AtFraction(fraction)).ParamName.ShouldBe("fraction");
    }

    [Fact]
    public void Non_positive_renew_before_is_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => RenewalSchedule.Before(TimeSpan.Zero)).ParamName.ShouldBe("renewBefore");
    }
}
