using System.Net;
using System.Text;
using OpenChoreo.Acme.Tests.Fixtures;
using OpenChoreo.Testing;

namespace OpenChoreo.Acme.Tests;

public sealed class ProblemReportingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AcmeClient Client(Func<HttpRequestMessage, HttpResponseMessage?> respond, TimeProvider? time = null, int maxBytes = AcmeClientOptions.DefaultMaxResponseBytes) =>
        new(new AcmeClientOptions
        {
            DirectoryUri = StubAcmeHandler.Directory,
            Handler = new StubAcmeHandler(respond),
            TimeProvider = time ?? TimeProvider.System,
            MaxResponseBytes = maxBytes,
        }, AcmeAccountKey.Generate());

    [Fact]
    public async Task Rate_limit_is_reported_distinctly_with_retry_after()
    {
        var time = new ManualTimeProvider();
        using var client = Client(r => r.RequestUri!.AbsolutePath == "/account"
            ? WithRetryAfter(StubAcmeHandler.Problem((HttpStatusCode)429, """{"type":"urn:ietf:params:acme:error:rateLimited","detail":"too many new accounts","status":429}"""), 120)
            : null, time);
        var ex = await Should.ThrowAsync<AcmeRateLimitedException>(() => client.CreateAccountAsync(null, true, Ct));
        ex.Type.ShouldBe("urn:ietf:params:acme:error:rateLimited");
        ex.Status.ShouldBe(429);
        ex.RetryAfter.ShouldBe(time.GetUtcNow() + TimeSpan.FromSeconds(120));
        ex.Message.ShouldBe("Rate limited while registering the account: the ACME server reported urn:ietf:params:acme:error:rateLimited: too many new accounts (HTTP 429)");
    }

    [Fact]
    public async Task Http_429_without_a_problem_document_is_still_a_rate_limit()
    {
        using var client = Client(r => r.RequestUri!.AbsolutePath == "/account" ? new HttpResponseMessage((HttpStatusCode)429) : null);
        var ex = await Should.ThrowAsync<AcmeRateLimitedException>(() => client.CreateAccountAsync(null, true, Ct));
        ex.Status.ShouldBe(429);
        ex.RetryAfter.ShouldBeNull();
    }

    [Fact]
    public async Task Subproblems_are_carried_with_their_identifiers()
    {
        using var client = Client(r => r.RequestUri!.AbsolutePath == "/order"
            ? StubAcmeHandler.Problem(HttpStatusCode.BadRequest, """
                {"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"some names were refused","status":400,
                 "subproblems":[{"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"policy forbids","identifier":{"type":"dns","value":"bad.example.test"}}]}
                """)
            : null);
        await client.CreateAccountAsync(null, true, Ct);
        var ex = await Should.ThrowAsync<AcmeProblemException>(() => client.NewOrderAsync(["ok.example.test", "bad.example.test"], Ct));
        ex.ShouldNotBeOfType<AcmeRateLimitedException>();
        ex.Problem.Name.ShouldBe("rejectedIdentifier");
        ex.Subproblems.Count.ShouldBe(1);
        ex.Subproblems[0].Identifier.ShouldBe(AcmeIdentifier.Dns("bad.example.test"));
        ex.Message.ShouldBe("Failed while creating the order: the ACME server reported urn:ietf:params:acme:error:rejectedIdentifier: some names were refused "
            + "[bad.example.test: urn:ietf:params:acme:error:rejectedIdentifier: policy forbids] (HTTP 400)");
    }

    [Fact]
    public async Task Oversized_responses_are_refused()
    {
        var huge = "{\"newNonce\":\"https://acme.stub.test/nonce\",\"pad\":\"" + new string('x', 10_000) + "\"}";
        using var client = Client(r => r.RequestUri!.AbsolutePath == "/dir"
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(huge, Encoding.UTF8, "application/json") } : null, maxBytes: 4096);
        var ex = await Should.ThrowAsync<AcmeException>(() => client.GetDirectoryAsync(Ct));
        ex.Message.ShouldBe("The ACME server's response is larger than 4096 bytes.");
    }

    [Fact]
    public async Task Missing_nonce_header_is_a_clear_error()
    {
        using var client = new AcmeClient(new AcmeClientOptions { DirectoryUri = StubAcmeHandler.Directory, Handler = new NoNonceHandler() }, AcmeAccountKey.Generate());
        var ex = await Should.ThrowAsync<AcmeException>(() => client.CreateAccountAsync(null, true, Ct));
        ex.Message.ShouldBe("The ACME server's new-nonce response carried no Replay-Nonce header.");
    }

    [Theory]
    [InlineData("http://acme.example/dir", "AcmeClientOptions.DirectoryUri must be an absolute https URL, got 'http://acme.example/dir'. (Parameter 'DirectoryUri')")]
    public void Options_refuse_plain_http(string url, string message) =>
        Should.Throw<ArgumentException>(() => new AcmeClient(new AcmeClientOptions { DirectoryUri = new Uri(url) }, AcmeAccountKey.Generate())).Message.ShouldBe(message);

    [Fact]
    public void Options_refuse_a_custom_handler_together_with_a_trust_bundle()
    {
        using var ca = Pki.CertificateAuthority.Create();
        var bundle = new Pki.TrustBundle([System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(ca.Certificate.RawData)]);
        Should.Throw<ArgumentException>(() => new AcmeClient(new AcmeClientOptions
        {
            DirectoryUri = StubAcmeHandler.Directory,
            Handler = new StubAcmeHandler(_ => null),
            TrustBundle = bundle,
        }, AcmeAccountKey.Generate())).Message.ShouldStartWith("AcmeClientOptions.Handler cannot be combined with TrustBundle or ConfigureHandler");
    }

    [Fact]
    public void Account_key_must_be_p256()
    {
        using var p384 = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP384);
        Should.Throw<ArgumentException>(() => new AcmeAccountKey(p384)).Message.ShouldBe("An ACME account key must be ECDSA P-256 (ES256). (Parameter 'key')");
    }

    [Fact]
    public void Key_authorization_and_dns_value_follow_rfc8555()
    {
        var key = AcmeAccountKey.Generate();
        var jwk = key.Jwk();
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{jwk["x"]}\",\"y\":\"{jwk["y"]}\"}}";
        key.Thumbprint.ShouldBe(System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
        key.KeyAuthorization("tok").ShouldBe("tok." + key.Thumbprint);
        // RFC 8555 section 8.4 example shape: 43 base64url characters of a SHA-256.
        AcmeAccountKey.Dns01TxtValue("tok.abc").Length.ShouldBe(43);
    }

    private static HttpResponseMessage WithRetryAfter(HttpResponseMessage response, int seconds)
    {
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        return response;
    }

    private sealed class NoNonceHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(request.RequestUri!.AbsolutePath == "/dir"
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(StubAcmeHandler.DirectoryJson) }
                : new HttpResponseMessage(HttpStatusCode.OK));
    }
}
