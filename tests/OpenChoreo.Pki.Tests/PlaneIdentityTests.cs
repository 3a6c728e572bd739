using static OpenChoreo.Pki.Tests.Fixtures;

namespace OpenChoreo.Pki.Tests;

public sealed class PlaneIdentityTests
{
    [Fact]
    public void Round_trips_through_its_URI()
    {
        var id = PlaneIdentity.Parse("spiffe://openchoreo/ns/acme/observabilityplane/obs-1.eu");

        id.Organization.ShouldBe("acme");
        id.PlaneType.ShouldBe("observabilityplane");
        id.PlaneName.ShouldBe("obs-1.eu");
        id.ToUri().ToString().ShouldBe("spiffe://openchoreo/ns/acme/observabilityplane/obs-1.eu");
        PlaneIdentity.Parse(id.ToString()).ShouldBe(id);
    }

    [Theory]
    [InlineData("", "the plane identity URI is empty")]
    [InlineData("https://openchoreo/ns/acme/dataplane/p", "the plane identity must start with 'spiffe://openchoreo/'")]
    [InlineData("SPIFFE://openchoreo/ns/acme/dataplane/p", "the plane identity must start with 'spiffe://openchoreo/'")]
    [InlineData("spiffe://evil/ns/acme/dataplane/p", "the plane identity must start with 'spiffe://openchoreo/'")]
    [InlineData("spiffe://openchoreo:443/ns/acme/dataplane/p", "the plane identity must start with 'spiffe://openchoreo/'")]
    [InlineData("spiffe://user@openchoreo/ns/acme/dataplane/p", "the plane identity must start with 'spiffe://openchoreo/'")]
    [InlineData("spiffe://openchoreo/ns/acme/dataplane", "the plane identity must have the form spiffe://openchoreo/ns/<org>/<planeType>/<planeName>")]
    [InlineData("spiffe://openchoreo/ns/acme/dataplane/p/extra", "the plane identity must have the form spiffe://openchoreo/ns/<org>/<planeType>/<planeName>")]
    [InlineData("spiffe://openchoreo/org/acme/dataplane/p", "the plane identity must have the form spiffe://openchoreo/ns/<org>/<planeType>/<planeName>")]
    [InlineData("spiffe://openchoreo/ns/acme/dataplane/p/", "the plane identity must have the form spiffe://openchoreo/ns/<org>/<planeType>/<planeName>")]
    [InlineData("spiffe://openchoreo/ns/Acme/dataplane/p", "organization: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character")]
    [InlineData("spiffe://openchoreo/ns/a.b/dataplane/p", "organization: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character")]
    [InlineData("spiffe://openchoreo/ns//dataplane/p", "organization: must not be empty")]
    [InlineData("spiffe://openchoreo/ns/acme/controlplane/p", "planeType: must be one of dataplane, buildplane, observabilityplane")]
    [InlineData("spiffe://openchoreo/ns/acme/dataplane/..", "planeName: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")]
    [InlineData("spiffe://openchoreo/ns/acme/dataplane/p%2Fq", "planeName: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")]
    [InlineData("spiffe://openchoreo/ns/acme/dataplane/p?x=1", "planeName: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")]
    [InlineData("spiffe://openchoreo/ns/acme/dataplane/p#f", "planeName: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")]
    public void Strict_parsing_refuses_with_a_precise_reason(string uri, string expected)
    {
        PlaneIdentity.TryParse(uri, out var id, out var error).ShouldBeFalse();
        id.ShouldBeNull();
        error.ShouldBe(expected);
        Should.Throw<FormatException>(() => PlaneIdentity.Parse(uri)).Message.ShouldBe(expected);
    }

    [Fact]
    public void Overlong_URI_is_refused()
    {
        var uri = "spiffe://openchoreo/ns/acme/dataplane/" + new string('a', 600);

        PlaneIdentity.TryParse(uri, out _, out var error).ShouldBeFalse();
        error.ShouldBe("the plane identity URI is longer than 512 characters");
    }

    [Fact]
    public void Constructor_validates_its_parts()
    {
        Should.Throw<ArgumentException>(() => new PlaneIdentity("acme", "nope", "p")).Message.ShouldBe("planeType: must be one of dataplane, buildplane, observabilityplane");
    }

    [Fact]
    public void Certificate_needs_exactly_one_URI_SAN()
    {
        using var none = Ca.IssueClientCertificate(new() { DnsNames = ["a.example"] }).Certificate;
        using var two = Ca.IssueClientCertificate(new() { Uris = [Identity.ToUri(), new Uri("spiffe://openchoreo/ns/acme/dataplane/other")] }).Certificate;
        using var foreign = Ca.IssueClientCertificate(new() { Uris = [new Uri("https://example.com/x")] }).Certificate;

        PlaneIdentity.TryFromCertificate(none, out _, out var e0).ShouldBeFalse();
        e0.ShouldBe("the certificate must carry exactly one URI SAN with the plane identity, it has 0");
        PlaneIdentity.TryFromCertificate(two, out _, out var e2).ShouldBeFalse();
        e2.ShouldBe("the certificate must carry exactly one URI SAN with the plane identity, it has 2");
        Should.Throw<FormatException>(() => PlaneIdentity.FromCertificate(foreign)).Message.ShouldBe("the plane identity must start with 'spiffe://openchoreo/'");
    }
}
