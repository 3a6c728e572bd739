using System.Net;
using System.Net.Sockets;
using OpenChoreo.Acme.Tests.Fixtures;

namespace OpenChoreo.Acme.Tests;

public sealed class Http01Tests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Responder_serves_published_answers_and_404s_everything_else()
    {
        await using var responder = await Http01Responder.StartAsync();
        responder.Store.Add("tok_en-1", "tok_en-1.thumb");
        using var http = new HttpClient { BaseAddress = responder.BaseUri };

        var ok = await http.GetAsync("/.well-known/acme-challenge/tok_en-1", Ct);
        ok.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ok.Content.ReadAsStringAsync(Ct)).ShouldBe("tok_en-1.thumb");
        (await http.GetAsync("/.well-known/acme-challenge/unknown", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetAsync("/.well-known/acme-challenge/bad%2Etoken", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        responder.Store.Remove("tok_en-1").ShouldBeTrue();
        (await http.GetAsync("/.well-known/acme-challenge/tok_en-1", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("", "An ACME token is 1-256 base64url characters. (Parameter 'token')")]
    [InlineData("a/b", "An ACME token is 1-256 base64url characters. (Parameter 'token')")]
    public void Store_refuses_malformed_tokens(string token, string message) =>
        Should.Throw<ArgumentException>(() => new Http01ChallengeStore().Add(token, token + ".x")).Message.ShouldBe(message);

    [Fact]
    public void Store_refuses_a_key_authorization_for_another_token() =>
        Should.Throw<ArgumentException>(() => new Http01ChallengeStore().Add("abc", "xyz.thumb")).Message
            .ShouldBe("The key authorization must start with the token and a dot. (Parameter 'keyAuthorization')");

    [Fact]
    public async Task Wildcard_with_http01_is_refused_before_contacting_the_server()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var issuer = new CertificateIssuer(new CertificateIssuerOptions
        {
            Acme = new AcmeClientOptions { DirectoryUri = new Uri($"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/dir") },
            AccountKeyStore = AcmeWorld.NewKeyStore(),
        });
        var ex = await Should.ThrowAsync<UnsupportedChallengeException>(() => issuer.IssueAsync(new CertificateIssueRequest
        {
            DnsNames = ["www.example.test", "*.apps.example.test"],
            Solver = new Http01ChallengeSolver(new Http01ChallengeStore()),
        }, cancellationToken: Ct));
        ex.Message.ShouldBe("'*.apps.example.test' is a wildcard name and HTTP-01 cannot validate wildcards. Use DNS-01 (RFC 2136 or a DNS provider) or bring your own certificate.");
        listener.Pending().ShouldBeFalse("no connection was made to the ACME server");
    }

    [Fact]
    public async Task Http01_solver_refuses_a_wildcard_authorization_itself()
    {
        var solver = new Http01ChallengeSolver(new Http01ChallengeStore());
        var ex = await Should.ThrowAsync<UnsupportedChallengeException>(() => solver.PresentAsync(new ChallengeRequest("apps.example.test", "t", "t.x", IsWildcard: true), Ct));
        ex.Message.ShouldStartWith("'*.apps.example.test' is a wildcard name");
        solver.Store.Count.ShouldBe(0);
    }
}
