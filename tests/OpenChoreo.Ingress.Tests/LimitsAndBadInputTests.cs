using System.Net;
using Microsoft.Extensions.Logging;
using OpenChoreo.Runtime.Podman;
using static OpenChoreo.Ingress.Tests.Harness;

namespace OpenChoreo.Ingress.Tests;

/// <summary>Request limits, and every input the gateway refuses: with the exact reason, and without disturbing what it serves.</summary>
public sealed class LimitsAndBadInputTests
{
    private const string WebHost = "greeter-development." + Apps;

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413_before_the_backend_sees_it()
    {
        await using var h = await StartAsync(o => o.MaxRequestBodyBytes = 1024);
        await using var a = await HttpBackend.StartAsync("a");
        await h.SetRoutesAsync(Route("greeter", [WebHost], Rule([], a)));
        using var client = h.Client();

        (await client.SendEchoAsync(HttpMethod.Post, $"http://{WebHost}/", new ByteArrayContent(new byte[1024]))).Status.ShouldBe(HttpStatusCode.OK);
        (await client.SendEchoAsync(HttpMethod.Post, $"http://{WebHost}/", new ByteArrayContent(new byte[1025]))).Status.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        a.Requests.ShouldBe(1);
    }

    [Fact]
    public async Task A_backend_silent_longer_than_the_timeout_gives_504()
    {
        await using var h = await StartAsync(o => o.BackendTimeout = TimeSpan.FromMilliseconds(300));
        await using var a = await HttpBackend.StartAsync("a");
        await h.SetRoutesAsync(Route("greeter", [WebHost], Rule([], a)));
        using var client = h.Client();

        (await client.GetEchoAsync($"http://{WebHost}/slow")).Status.ShouldBe(HttpStatusCode.GatewayTimeout);
        (await client.GetEchoAsync($"http://{WebHost}/fast")).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("regex-path", "rule 0 match 0: path match type 'RegularExpression' is not supported (PathPrefix, Exact)")]
    [InlineData("template-path", "rule 0 match 0: path '/a/{id}' is not an absolute path without query, wildcards or escapes")]
    [InlineData("relative-path", "rule 0 match 0: path 'a' is not an absolute path without query, wildcards or escapes")]
    [InlineData("regex-header", "rule 0 match 0: header match type 'RegularExpression' is not supported (Exact)")]
    [InlineData("bad-header-name", "rule 0 match 0: header name 'a:b' is not a valid header name")]
    [InlineData("bad-method", "rule 0 match 0: method 'FETCH' is not an HTTP method")]
    [InlineData("bad-hostname", "hostname 'bad_host." + Apps + "' is not a host name or *.wildcard")]
    [InlineData("bad-rewrite", "rule 0: URLRewrite path type 'ReplaceRegex' is not supported (ReplacePrefixMatch, ReplaceFullPath)")]
    [InlineData("rewrite-on-exact", "rule 0 match 0: ReplacePrefixMatch needs a PathPrefix match")]
    [InlineData("non-loopback", "rule 0: backend svc:80 endpoint 10.88.0.5:8080 is not a loopback address")]
    public async Task A_route_the_gateway_cannot_serve_faithfully_is_refused_and_the_others_keep_working(string kind, string problem)
    {
        var logs = new ListLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var good = await HttpBackend.StartAsync("good");
        await using var bad = await HttpBackend.StartAsync("bad");
        var badHost = "bad-development." + Apps;
        RouteEntry badRoute = kind switch
        {
            "regex-path" => Route("bad", [badHost], Rule([new RoutePathMatch("RegularExpression", "/.*")], bad)),
            "template-path" => Route("bad", [badHost], Rule([Prefix("/a/{id}")], bad)),
            "relative-path" => Route("bad", [badHost], Rule([Prefix("a")], bad)),
            "regex-header" => Route("bad", [badHost], Rule([new RoutePathMatch("PathPrefix", "/", [new RouteHeaderMatch("x", ".*", "RegularExpression")])], bad)),
            "bad-header-name" => Route("bad", [badHost], Rule([new RoutePathMatch("PathPrefix", "/", [new RouteHeaderMatch("a:b", "1")])], bad)),
            "bad-method" => Route("bad", [badHost], Rule([new RoutePathMatch("PathPrefix", "/", Method: "FETCH")], bad)),
            "bad-hostname" => Route("bad", ["bad_host." + Apps], Rule([], bad)),
            "bad-rewrite" => Route("bad", [badHost], new RouteRule([], [new RouteBackend("svc", 80, 1, null, [bad.EndPoint])], new RouteRewrite(null, "ReplaceRegex", "/x"))),
            "rewrite-on-exact" => Route("bad", [badHost], new RouteRule([Exact("/x")], [new RouteBackend("svc", 80, 1, null, [bad.EndPoint])], new RouteRewrite(null, "ReplacePrefixMatch", "/"))),
            "non-loopback" => Route("bad", [badHost], new RouteRule([], [new RouteBackend("svc", 80, 1, null, [new IPEndPoint(IPAddress.Parse("10.88.0.5"), 8080)])])),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var table = new StaticRouteTable();
        await using var gateway = await IngressGateway.StartAsync(new IngressOptions { HttpEndpoint = new IPEndPoint(IPAddress.Loopback, 0), HttpsEndpoint = null, AccessLog = false }, table, null, loggers, TestContext.Current.CancellationToken);
        var before = gateway.AppliedRevision;
        table.Set(Route("greeter", [WebHost], Rule([], good)), badRoute);
        await OpenChoreo.Testing.Eventually.WaitUntilAsync(() => gateway.AppliedRevision > before, "routes applied", cancellationToken: TestContext.Current.CancellationToken);
        using var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await s.ConnectAsync(gateway.HttpEndpoint!, ct);
                return new System.Net.Sockets.NetworkStream(s, ownsSocket: true);
            },
        });

        logs.Messages.ShouldContain($"HTTPRoute dp-default-demo-development-00000000/bad of release rel-bad: {problem}; that part is not served");
        (await client.GetEchoAsync($"http://{WebHost}/")).Echo["backend"].ShouldBe("good");
        (await client.GetEchoAsync($"http://{badHost}/x")).Status.ShouldBeOneOf(HttpStatusCode.NotFound, HttpStatusCode.ServiceUnavailable);
        bad.Requests.ShouldBe(0);
    }

    [Theory]
    [InlineData("domain", "ingress domain 'not a domain' is not a DNS name")]
    [InlineData("no-endpoints", "ingress needs an HTTP or an HTTPS endpoint")]
    [InlineData("body", "ingress MaxRequestBodyBytes must be positive")]
    [InlineData("timeout", "ingress BackendTimeout must be positive")]
    [InlineData("https-without-certificate", "ingress HTTPS endpoint is set but no certificate selector was given (issue one from the platform CA or disable HTTPS)")]
    public async Task Bad_options_fail_at_start_with_their_reason_and_bind_nothing(string kind, string message)
    {
        var port = RoutingTests.FreePort();
        var options = new IngressOptions { HttpEndpoint = new IPEndPoint(IPAddress.Loopback, port), HttpsEndpoint = null };
        switch (kind)
        {
            case "domain": options.Domain = "not a domain"; break;
            case "no-endpoints": options.HttpEndpoint = null; break;
            case "body": options.MaxRequestBodyBytes = 0; break;
            case "timeout": options.BackendTimeout = TimeSpan.Zero; break;
            case "https-without-certificate": options.HttpsEndpoint = new IPEndPoint(IPAddress.Loopback, 0); break;
        }

        var e = await Should.ThrowAsync<ArgumentException>(() => IngressGateway.StartAsync(options, new StaticRouteTable(), null, ct: TestContext.Current.CancellationToken));

        e.Message.ShouldBe(message);
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, port);
        probe.Start(); // the port is still free: nothing was bound
    }
}

internal sealed class ListLoggerProvider : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _messages = new();

    public IReadOnlyList<string> Messages => [.. _messages];

    public ILogger CreateLogger(string categoryName) => new L(_messages);

    public void Dispose() { }

    private sealed class L(System.Collections.Concurrent.ConcurrentQueue<string> sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Enqueue(formatter(state, exception) + (exception is null ? "" : " (" + exception.Message + ")"));
    }
}
