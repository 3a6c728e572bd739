using System.Net;
using System.Security.Authentication;
using OpenChoreo.Pki;
using static OpenChoreo.Ingress.Tests.Harness;

namespace OpenChoreo.Ingress.Tests;

/// <summary>HTTPS with the wildcard certificate from the platform CA, verified by the client (chain, usage, host name).</summary>
public sealed class TlsTests
{
    private const string WebHost = "greeter-development." + Apps;

    [Fact]
    public async Task Https_serves_the_wildcard_certificate_that_verifies_against_the_platform_ca()
    {
        await using var h = await StartAsync();
        await using var a = await HttpBackend.StartAsync("a");
        await h.SetRoutesAsync(Route("greeter", [WebHost], Rule([], a)));
        using var client = h.Client();

        var (status, echo, _) = await client.GetEchoAsync($"https://{WebHost}/hi");

        status.ShouldBe(HttpStatusCode.OK);
        echo["backend"].ShouldBe("a");
        echo["x-forwarded-proto"].ShouldBe("https");
        h.Certificate.Current.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().ShouldBe([$"*.{Apps}", Apps]);
    }

    [Fact]
    public async Task Https_uses_http2_when_the_client_offers_it()
    {
        await using var h = await StartAsync();
        await using var a = await HttpBackend.StartAsync("a");
        await h.SetRoutesAsync(Route("greeter", [WebHost], Rule([], a)));
        using var client = h.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://{WebHost}/") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Version.ShouldBe(HttpVersion.Version20);
    }

    [Fact]
    public async Task A_client_that_trusts_another_ca_refuses_the_gateway()
    {
        await using var h = await StartAsync();
        using var other = CertificateAuthority.Create();
        using var client = h.Client(trust: other.Certificate);

        var e = await Should.ThrowAsync<HttpRequestException>(() => client.GetEchoAsync($"https://{WebHost}/"));

        e.InnerException.ShouldBeOfType<AuthenticationException>();
    }

    [Fact]
    public async Task A_server_name_outside_the_wildcard_gets_no_certificate()
    {
        await using var h = await StartAsync();
        using var client = h.Client();

        // Two labels below apps.* is not covered by *.apps.* (RFC 6125), and another domain is not ours at all:
        // the gateway ends the handshake instead of presenting a certificate that does not fit.
        (await Should.ThrowAsync<HttpRequestException>(() => client.GetEchoAsync($"https://a.b.{Apps}/"))).InnerException.ShouldBeOfType<IOException>();
        (await Should.ThrowAsync<HttpRequestException>(() => client.GetEchoAsync("https://example.org/"))).InnerException.ShouldBeOfType<IOException>();
        (await client.GetEchoAsync($"https://b.{Apps}/")).Status.ShouldBe(HttpStatusCode.NotFound); // covered, but no app there
    }

    [Fact]
    public async Task A_certificate_set_in_the_store_is_served_from_the_next_handshake_on()
    {
        await using var h = await StartAsync();
        await using var a = await HttpBackend.StartAsync("a");
        await h.SetRoutesAsync(Route("greeter", ["shop.example.test"], Rule([], a)));
        using (var client = h.Client())
            (await Should.ThrowAsync<HttpRequestException>(() => client.GetEchoAsync("https://shop.example.test/"))).InnerException.ShouldBeOfType<IOException>();

        // What an ACME order would do once it has a certificate: no restart, no listener change.
        var issued = h.Ca.Issuer.IssueServerCertificate(new LeafCertificateRequest { DnsNames = ["shop.example.test"] });
        h.Store.Set("shop.example.test", issued.Certificate);

        using (var client = h.Client())
            (await client.GetEchoAsync("https://shop.example.test/")).Echo["backend"].ShouldBe("a");
        h.Store.Select(WebHost).ShouldBeSameAs(h.Certificate.Current); // the wildcard still serves the apps
    }

    [Fact]
    public async Task The_wildcard_certificate_is_reused_after_a_restart()
    {
        var dir = Path.Combine(Path.GetTempPath(), "oc-ingress-ca-" + Guid.NewGuid().ToString("n")[..8]);
        try
        {
            string first;
            using (var ca = PlatformCa.LoadOrCreate(dir))
            await using (var cert = new PlatformCaIngressCertificate(ca, new IngressCertificateStore(), Apps))
                first = cert.Current.Thumbprint;
            using (var ca = PlatformCa.LoadOrCreate(dir))
            await using (var cert = new PlatformCaIngressCertificate(ca, new IngressCertificateStore(), Apps))
                cert.Current.Thumbprint.ShouldBe(first);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
