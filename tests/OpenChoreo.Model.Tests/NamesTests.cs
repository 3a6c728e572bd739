using OpenChoreo.Model;

namespace OpenChoreo.Model.Tests;

public class NamesTests
{
    [Theory]
    [InlineData("a", true)]
    [InlineData("greeter-service", true)]
    [InlineData("a.b-c.d", true)]
    [InlineData("Upper", false)]
    [InlineData("-lead", false)]
    [InlineData("trail-", false)]
    [InlineData("under_score", false)]
    [InlineData("", false)]
    public void Subdomains(string name, bool ok) => Names.IsDns1123Subdomain(name).ShouldBe(ok);

    [Fact]
    public void Length_limits()
    {
        Names.IsDns1123Subdomain(new string('a', 253)).ShouldBeTrue();
        Names.IsDns1123Subdomain(new string('a', 254)).ShouldBeFalse();
        Names.IsDns1123Label(new string('a', 63)).ShouldBeTrue();
        Names.IsDns1123Label(new string('a', 64)).ShouldBeFalse();
        Names.ExplainLabel(new string('a', 64)).ShouldBe("must be no more than 63 characters");
        Names.IsDns1123Label("a.b").ShouldBeFalse();
    }

    [Theory]
    [InlineData("app", true)]
    [InlineData("openchoreo.dev/project", true)]
    [InlineData("a/b/c", false)]
    [InlineData("Bad_Prefix/x", false)]
    [InlineData("x_y.z", true)]
    public void Qualified_names(string key, bool ok) => Names.IsQualifiedName(key).ShouldBe(ok);
}
