using System.Net;
using System.Security.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using static OpenChoreo.Pki.Tests.Fixtures;

namespace OpenChoreo.Pki.Tests;

/// <summary>The same validators wired into Kestrel, the way the API server and cluster gateway use them.</summary>
public sealed class KestrelMutualTlsTests : IAsyncLifetime
{
    private readonly List<ChainVerificationResult> _refusals = [];
    private WebApplication _app = null!;
    private Uri _baseAddress = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(https =>
            {
                https.ServerCertificate = Server.Value.Certificate;
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.CheckCertificateRevocation = false; // the platform CA has no CRL; revocation is the deny-list
                https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                https.ClientCertificateValidation = TlsPolicies.KestrelClientCertificateValidator(() => Bundle(Ca), new TlsValidationOptions
                {
                    RequirePlaneIdentity = true,
                    OnRefused = r => { lock (_refusals) _refusals.Add(r); },
                });
            });
        }));
        _app = builder.Build();
        _app.MapGet("/whoami", (HttpContext ctx) => PlaneIdentity.FromCertificate(ctx.Connection.ClientCertificate!).ToString());
        await _app.StartAsync(TestContext.Current.CancellationToken);
        var address = _app.Urls.Single();
        _baseAddress = new Uri(address.Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Agent_certificate_reaches_the_endpoint_with_its_identity()
    {
        using var agent = AgentCertificate(Ca).Certificate;
        using var http = Client(agent);

        var body = await http.GetStringAsync(new Uri(_baseAddress, "/whoami"), TestContext.Current.CancellationToken);

        body.ShouldBe("spiffe://openchoreo/ns/acme/dataplane/prod-eu");
        _refusals.ShouldBeEmpty();
    }

    [Fact]
    public async Task Certificate_from_another_CA_never_reaches_the_endpoint()
    {
        using var stranger = AgentCertificate(OtherCa).Certificate;
        using var http = Client(stranger);

        await Should.ThrowAsync<HttpRequestException>(http.GetStringAsync(new Uri(_baseAddress, "/whoami"), TestContext.Current.CancellationToken));

        // HttpClient may retry the handshake; every attempt is refused for the same reason.
        lock (_refusals)
        {
            _refusals.ShouldNotBeEmpty();
            _refusals.ShouldAllBe(r => r.Failure == ChainFailure.UntrustedRoot);
        }
    }

    [Fact]
    public async Task Missing_client_certificate_never_reaches_the_endpoint()
    {
        using var http = Client(null);

        await Should.ThrowAsync<HttpRequestException>(http.GetStringAsync(new Uri(_baseAddress, "/whoami"), TestContext.Current.CancellationToken));
    }

    private static HttpClient Client(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate) =>
        new(new SocketsHttpHandler
        {
            SslOptions = TlsPolicies.MutualTlsClientOptions("localhost", certificate, () => Bundle(Ca)),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        })
        { Timeout = TimeSpan.FromSeconds(15) };
}
