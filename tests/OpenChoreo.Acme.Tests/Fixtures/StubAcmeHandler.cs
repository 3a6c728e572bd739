using System.Net;
using System.Text;

namespace OpenChoreo.Acme.Tests.Fixtures;

/// <summary>
/// A test double of an ACME server at the HTTP-message level, for answers pebble never gives (rate limits,
/// subproblems, oversized bodies). Serves the directory and nonces; everything else comes from <see cref="Respond"/>.
/// </summary>
public sealed class StubAcmeHandler(Func<HttpRequestMessage, HttpResponseMessage?> respond) : HttpMessageHandler
{
    public static readonly Uri Directory = new("https://acme.stub.test/dir");
    private int _nonce;

    public Func<HttpRequestMessage, HttpResponseMessage?> Respond { get; } = respond;

    public static string DirectoryJson => """
        {"newNonce":"https://acme.stub.test/nonce","newAccount":"https://acme.stub.test/account","newOrder":"https://acme.stub.test/order"}
        """;

    public static HttpResponseMessage Problem(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/problem+json") };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = Respond(request) ?? request.RequestUri!.AbsolutePath switch
        {
            "/dir" => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(DirectoryJson, Encoding.UTF8, "application/json") },
            "/nonce" => new HttpResponseMessage(HttpStatusCode.OK),
            "/account" => new HttpResponseMessage(HttpStatusCode.Created)
            {
                Headers = { Location = new Uri("https://acme.stub.test/acct/1") },
                Content = new StringContent("""{"status":"valid"}""", Encoding.UTF8, "application/json"),
            },
            _ => new HttpResponseMessage(HttpStatusCode.NotFound),
        };
        response.Headers.Add("Replay-Nonce", "n" + Interlocked.Increment(ref _nonce));
        return Task.FromResult(response);
    }
}
