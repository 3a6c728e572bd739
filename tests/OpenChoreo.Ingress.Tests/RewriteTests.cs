namespace OpenChoreo.Ingress.Tests;

public sealed class RewriteTests
{
    [Theory]
    [InlineData("/api/x", "/api", "/", "/x")]
    [InlineData("/api", "/api", "/", "/")]
    [InlineData("/api/", "/api", "/", "/")]
    [InlineData("/api/x/y", "/api", "/v2", "/v2/x/y")]
    [InlineData("/api", "/api", "/v2", "/v2")]
    [InlineData("/api/x", "/api", "/v2/", "/v2/x")]
    [InlineData("/x", "/", "/v2", "/v2/x")]
    [InlineData("/", "/", "/", "/")]
    public void Replace_prefix_match_follows_gateway_api(string path, string prefix, string replacement, string expected) =>
        IngressTransforms.ReplacePrefix(path, prefix, replacement).ShouldBe(expected);
}
