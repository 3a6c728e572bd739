using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenChoreo.Ingress;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Runtime.Podman;
using OpenChoreo.Server;
using OpenChoreo.Store;

namespace OpenChoreo.Certificates.Tests;

/// <summary>The data-plane ingress as <c>up</c> wires it: a platform-namespace Certificate's Secret for the apps wildcard
/// is served by SNI and hot-swapped on renewal; other names keep the platform-CA wildcard.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class IngressAppsCertificateTests
{
    private const string AppsDomain = "apps.openchoreo." + DomainControlPlane.Domain;
    private const string Host = "x." + AppsDomain;

    /// <summary>Test double at the runtime boundary: a route table with no routes (every request gets the gateway's 404).</summary>
    private sealed class NoRoutes : IRouteTable
    {
        public IReadOnlyList<RouteEntry> Routes => [];
        public event Action? RoutesChanged { add { } remove { } }
    }

    private static async Task<X509Certificate2> HandshakeAsync(IPEndPoint ingress, string sni, TrustBundle trust, string? validateAs = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(ingress);
        var validator = TlsPolicies.ServerCertificateValidator(() => trust, validateAs ?? sni);
        X509Certificate2? seen = null;
        await using var tls = new SslStream(tcp.GetStream(), false, (s, c, ch, e) =>
        {
            seen = c is null ? null : X509CertificateLoader.LoadCertificate(c.GetRawCertData());
            return validator(s, c, ch, e);
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = sni });
        return seen!;
    }

    private static Task<string> WaitServedAsync(IPEndPoint ingress, TrustBundle trust, Func<string, bool> ok, string what) =>
        ServedSerial.WaitAsync(() => HandshakeAsync(ingress, Host, trust), ok, what);

    [Fact]
    public async Task Apps_certificate_secret_is_served_by_sni_and_hot_swapped_while_an_open_connection_keeps_working()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cp = await DomainControlPlane.StartAsync();
        var trust = cp.PlatformTrust;
        var store = new IngressCertificateStore();
        await using var platformWildcard = new PlatformCaIngressCertificate(cp.App.Services.GetRequiredService<PlatformCa>(), store, AppsDomain);
        var platformSerial = platformWildcard.Current.SerialNumber.ToLowerInvariant();
        var selector = new AppsCertificateSelector(cp.App.Services.GetRequiredService<SniCertificateSelector>().Index, store, AppsDomain);
        await using var ingress = await IngressGateway.StartAsync(new IngressOptions
        {
            Domain = DomainControlPlane.Domain,
            HttpEndpoint = null,
            HttpsEndpoint = new IPEndPoint(IPAddress.Loopback, 0),
            AccessLog = false,
        }, new NoRoutes(), selector, ct: ct);
        var endpoint = ingress.HttpsEndpoint!;

        // No Certificate yet: the platform-CA wildcard.
        using (var before = await HandshakeAsync(endpoint, Host, trust)) Assert.Equal(platformSerial, before.SerialNumber.ToLowerInvariant());

        // The apps Certificate from a CA issuer over the platform CA (a test CA; up uses ACME DNS-01), renewed 5 s after each issuance.
        await cp.Store.CreateAsync(Resource("ClusterIssuer", "platform", null, new JsonObject { ["ca"] = new JsonObject { ["secretName"] = "platform-ca" } }), ct);
        await cp.Store.CreateAsync(Resource("Certificate", UpTls.AppsCertificate, UpTls.PlatformNamespace, new JsonObject
        {
            ["secretName"] = UpTls.AppsCertificate + "-tls",
            ["dnsNames"] = new JsonArray("*." + AppsDomain),
            ["issuerRef"] = new JsonObject { ["name"] = "platform", ["kind"] = "ClusterIssuer" },
            ["duration"] = "30s",
            ["renewBefore"] = "25s",
        }), ct);
        var first = await WaitServedAsync(endpoint, trust, s => s != platformSerial, "the Certificate's Secret is served");
        using (var issued = await HandshakeAsync(endpoint, Host, trust))
        {
            // Only the Certificate's one name (the platform-CA wildcard also names the apps domain itself).
            Assert.Equal(["*." + AppsDomain], issued.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(x => x.EnumerateDnsNames()));
        }
        Assert.Equal(UpTls.AppsCertificate + "-tls", selector.Issued(Host)?.SecretName);

        // One keep-alive connection, opened now.
        using var counting = new CountingTlsHandler(endpoint, () => trust, Host);
        using var http = new HttpClient(counting.Handler, disposeHandler: false);
        var url = new Uri($"https://{Host}:{endpoint.Port}/");
        using (var r = await http.GetAsync(url, ct)) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        var atConnect = Assert.Single(counting.Served);
        Assert.NotEqual(platformSerial, atConnect);

        // Renewal writes a new Secret: a new handshake gets the new certificate...
        var second = await WaitServedAsync(endpoint, trust, s => s != platformSerial && s != atConnect, "the renewed certificate is served");
        Assert.NotEqual(atConnect, second);
        // ...while the connection made before it carries on, with no new connection or handshake.
        for (var i = 0; i < 3; i++)
        {
            using var r = await http.GetAsync(url, ct);
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }
        Assert.Equal(1, counting.Connects);
        Assert.Equal(1, counting.Handshakes);

        // A handshake without SNI gets the platform-CA wildcard; a name outside the apps domain gets no certificate (the
        // control plane's hosts are not the ingress's to serve), so the ingress closes the handshake.
        using (var noSni = await HandshakeAsync(endpoint, "", trust, AppsDomain)) Assert.Equal(platformSerial, noSni.SerialNumber.ToLowerInvariant());
        // The bare apps domain: not in the Certificate, in the platform-CA wildcard's names.
        using (var bare = await HandshakeAsync(endpoint, AppsDomain, trust)) Assert.Equal(platformSerial, bare.SerialNumber.ToLowerInvariant());
        await Assert.ThrowsAsync<IOException>(() => HandshakeAsync(endpoint, ControlPlaneHosts.Api(DomainControlPlane.Domain), trust));

        // The Certificate narrowed to y.apps: x.apps is no longer covered and gets the platform-CA wildcard again.
        var key = new ResourceKey("Certificate", UpTls.PlatformNamespace, UpTls.AppsCertificate);
        var cert = (await cp.Store.GetAsync(key, ct))!;
        cert.Node["spec"]!["dnsNames"] = new JsonArray("y." + AppsDomain);
        cert.Node["metadata"]!.AsObject().Remove("resourceVersion");
        await cp.Store.UpdateAsync(cert, ct: ct);
        await WaitServedAsync(endpoint, trust, s => s == platformSerial, "x.apps falls back to the platform-CA wildcard");
        Assert.Null(selector.Issued(Host));
        _ = first;
    }

    private static ResourceObject Resource(string kind, string name, string? ns, JsonObject spec) => new(new JsonObject
    {
        ["apiVersion"] = KindRegistry.GroupVersion,
        ["kind"] = kind,
        ["metadata"] = ns is null ? new JsonObject { ["name"] = name } : new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = spec,
    });
}
