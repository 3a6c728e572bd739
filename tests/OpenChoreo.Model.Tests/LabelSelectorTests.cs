using OpenChoreo.Model;

namespace OpenChoreo.Model.Tests;

public class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "web", ["tier"] = "front", ["openchoreo.dev/project"] = "p1" };

    [Theory]
    [InlineData("", true)]
    [InlineData("app=web", true)]
    [InlineData("app==web", true)]
    [InlineData("app!=web", false)]
    [InlineData("app=db", false)]
    [InlineData("app in (db, web)", true)]
    [InlineData("app notin (db,web)", false)]
    [InlineData("tier", true)]
    [InlineData("!tier", false)]
    [InlineData("!missing", true)]
    [InlineData("missing!=x", true)]
    [InlineData("app=web,tier=front,openchoreo.dev/project=p1", true)]
    [InlineData("app=web,tier=back", false)]
    public void Matches_like_kubernetes(string selector, bool expected) =>
        LabelSelector.Parse(selector).Matches(Labels).ShouldBe(expected);

    [Theory]
    [InlineData("app in (web", "expected ',' or ')'")]
    [InlineData("app=web,", "expected a label key")]
    [InlineData("app=we b", "expected ','")]
    [InlineData("=x", "expected a label key")]
    [InlineData("app=<x>", "expected ',' at position 4")]
    public void Invalid_selectors_explain_the_problem(string selector, string fragment)
    {
        LabelSelector.TryParse(selector, out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNull();
        error.ShouldStartWith("invalid label selector");
        error.ShouldContain(fragment);
    }

    [Fact]
    public void Round_trips_to_string() =>
        LabelSelector.Parse("a=b,c in (d,e),!f").ToString().ShouldBe("a=b,c in (d,e),!f");
}
