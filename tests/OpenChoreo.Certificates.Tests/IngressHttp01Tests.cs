using System.Net;
using OpenChoreo.Acme;
using OpenChoreo.Ingress;
using OpenChoreo.Runtime.Podman;

namespace OpenChoreo.Certificates.Tests;

/// <summary>The data-plane ingress gateway answers HTTP-01 for its hosts from the shared challenge store.</summary>
public sealed class IngressHttp01Tests
{
    /// <summary>Test double at the runtime boundary: a route table with no routes.</summary>
    private sealed class NoRoutes : IRouteTable
    {
        public IReadOnlyList<RouteEntry> Routes => [];
        public event Action? RoutesChanged { add { } remove { } }
    }

    [Fact]
    public async Task Ingress_plain_http_answers_known_tokens_and_leaves_other_paths_to_the_routes()
    {
        var ct = TestContext.Current.CancellationToken;
        var challenges = new Http01ChallengeStore();
        challenges.Add("abc_1", "abc_1.thumbprint");
        var options = new IngressOptions
        {
            Domain = "example.test",
            HttpEndpoint = new IPEndPoint(IPAddress.Loopback, 0),
            HttpsEndpoint = null,
            AccessLog = false,
            Http01Answer = token => challenges.TryGet(token, out var a) ? a : null,
        };
        await using var gateway = await IngressGateway.StartAsync(options, new NoRoutes(), null, null, ct);
        using var http = new HttpClient();

        async Task<HttpResponseMessage> Get(string path)
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{gateway.HttpEndpoint!.Port}{path}");
            req.Headers.Host = "shop-dev.apps.openchoreo.example.test";
            return await http.SendAsync(req, ct);
        }

        using (var r = await Get("/.well-known/acme-challenge/abc_1"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("abc_1.thumbprint", await r.Content.ReadAsStringAsync(ct));
        }
        using (var r = await Get("/.well-known/acme-challenge/other"))
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        challenges.Remove("abc_1");
        using (var r = await Get("/.well-known/acme-challenge/abc_1"))
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        // Other paths reach the gateway's own no-route answer, which names the host.
        using (var r = await Get("/hello"))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Contains("shop-dev.apps.openchoreo.example.test", await r.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }
    }
}
