using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using OpenChoreo.Acme;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Server;
using OpenChoreo.Store;
using Microsoft.Extensions.DependencyInjection;

namespace OpenChoreo.Certificates.Tests;

/// <summary>The control plane's one TLS listener with a base domain: SNI selection from Certificates' Secrets,
/// hot swap on renewal, the platform-CA fallback, and the plain-HTTP listener (HTTP-01 answers, redirects).</summary>
public sealed class SniListenerTests
{
    private static readonly string Api = ControlPlaneHosts.Api(DomainControlPlane.Domain);

    private static ResourceObject Obj(string kind, string name, JsonObject spec, string? ns) => new(new JsonObject
    {
        ["apiVersion"] = KindRegistry.GroupVersion,
        ["kind"] = kind,
        ["metadata"] = ns is null ? new JsonObject { ["name"] = name } : new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = spec,
    });

    private static string Serial(ResourceObject c) => (string)c.Node["status"]!["serialNumber"]!;

    private static async Task<ResourceObject> WaitAsync(IResourceStore store, ResourceKey key, Func<ResourceObject, bool> ok, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        ResourceObject? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await store.GetAsync(key, TestContext.Current.CancellationToken);
            if (last is not null && ok(last)) return last;
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException($"timed out waiting until {what}; last: {last?.ToJson()}");
    }

    private static Task<string> WaitServedAsync(DomainControlPlane cp, string sni, TrustBundle trust, Func<string, bool> ok, string what) =>
        ServedSerial.WaitAsync(() => cp.HandshakeAsync(sni, trust, sni), ok, what);

    [Fact]
    public async Task Renewal_swaps_the_certificate_for_new_handshakes_while_an_open_http2_connection_keeps_working()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cp = await DomainControlPlane.StartAsync();
        var fallbackSerial = cp.App.Services.GetRequiredService<ServerCertificateSource>().Current.SerialNumber.ToLowerInvariant();
        await cp.Store.CreateAsync(Obj("ClusterIssuer", "platform", new JsonObject { ["ca"] = new JsonObject { ["secretName"] = "platform-ca" } }, null), ct);
        // Short-lived: renewed 2 s after each issuance.
        await cp.Store.CreateAsync(Obj("Certificate", "control-plane", new JsonObject
        {
            ["secretName"] = "control-plane-tls",
            ["dnsNames"] = new JsonArray([.. ControlPlaneHosts.All(DomainControlPlane.Domain).Select(n => (JsonNode)n)]),
            ["issuerRef"] = new JsonObject { ["name"] = "platform", ["kind"] = "ClusterIssuer" },
            ["duration"] = "20s",
            ["renewBefore"] = "18s",
        }, DomainControlPlane.PlatformNamespace), ct);
        var key = new ResourceKey("Certificate", DomainControlPlane.PlatformNamespace, "control-plane");
        var ready = await WaitAsync(cp.Store, key, c => Conditions.Get(c, "Ready") is { Status: Condition.True } && c.Node["status"]?["serialNumber"] is not null, "the Certificate is Ready");
        var first = await WaitServedAsync(cp, Api, cp.PlatformTrust, s => s != fallbackSerial, "the Certificate's Secret is served");

        // One HTTP/2 connection, opened now; the handler counts connections and handshakes.
        var trust = cp.PlatformTrust;
        using var counting = new CountingTlsHandler(new IPEndPoint(IPAddress.Loopback, cp.ApiPort), () => trust, Api);
        using var http = new HttpClient(counting.Handler, disposeHandler: false) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var url = new Uri($"https://{Api}:{cp.ApiPort}/healthz");
        using (var r = await http.GetAsync(url, ct))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(HttpVersion.Version20, r.Version);
        }
        Assert.Equal([first], counting.Served);

        // The controller renews; a new handshake gets the new certificate...
        var renewed = await WaitAsync(cp.Store, key, c => c.Node["status"]?["serialNumber"] is JsonValue v && (string)v! != Serial(ready), "the Certificate is renewed");
        var second = await WaitServedAsync(cp, Api, cp.PlatformTrust, s => s != first, "the renewed certificate is served");
        Assert.NotEqual(first, second);

        // ...while the connection opened before the renewal carries on, with no new connection or handshake.
        for (var i = 0; i < 3; i++)
        {
            using var r = await http.GetAsync(url, ct);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        Assert.Equal(1, counting.Connects);
        Assert.Equal(1, counting.Handshakes);

        // An unknown name and a handshake without SNI get the platform-CA certificate.
        using var unknown = await cp.HandshakeAsync("other.example.test", cp.PlatformTrust, "localhost");
        Assert.Equal(fallbackSerial, unknown.SerialNumber.ToLowerInvariant());
        using var noSni = await cp.HandshakeAsync(null, cp.PlatformTrust, "127.0.0.1");
        Assert.Equal(fallbackSerial, noSni.SerialNumber.ToLowerInvariant());
        // The fallback covers the domain's hosts too, so they verify before any Certificate exists.
        using var fallbackForThunder = await cp.HandshakeAsync("thunder.openchoreo.example.test", cp.PlatformTrust, "thunder.openchoreo.example.test");
        _ = renewed;
    }

    [Fact]
    public async Task Plain_http_listener_answers_challenges_and_redirects_known_hosts_only()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cp = await DomainControlPlane.StartAsync();
        var store = cp.App.Services.GetRequiredService<Http01ChallengeStore>();
        store.Add("tok-1", "tok-1.thumb");
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });

        async Task<HttpResponseMessage> Get(string host, string path)
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{cp.HttpPort}{path}");
            req.Headers.Host = host;
            return await http.SendAsync(req, ct);
        }

        using (var r = await Get(Api, "/.well-known/acme-challenge/tok-1"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("tok-1.thumb", await r.Content.ReadAsStringAsync(ct));
        }
        using (var r = await Get(Api, "/.well-known/acme-challenge/unknown"))
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        using (var r = await Get(Api, "/api/v1/namespaces?x=1"))
        {
            Assert.Equal(HttpStatusCode.PermanentRedirect, r.StatusCode);
            Assert.Equal($"https://{Api}:{cp.ApiPort}/api/v1/namespaces?x=1", r.Headers.Location!.ToString());
        }
        // Another host is neither redirected nor served (no open redirect, no API over plain HTTP).
        using (var r = await Get("evil.example.com", "/healthz"))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Null(r.Headers.Location);
        }
    }
}
