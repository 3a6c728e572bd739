using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using OpenChoreo.Pki;
using OpenChoreo.Runtime.Podman;
using OpenChoreo.Testing;

namespace OpenChoreo.Ingress.Tests;

/// <summary>A running gateway on free loopback ports, serving a <see cref="StaticRouteTable"/>, with the wildcard
/// certificate from a fresh platform CA; clients dial the gateway whatever host name the URL carries.</summary>
internal sealed class Harness : IAsyncDisposable
{
    public const string Apps = "apps.openchoreo.localhost";
    private readonly string _dir;

    private Harness(string dir, PlatformCa ca, IngressCertificateStore store, PlatformCaIngressCertificate certificate, IngressGateway gateway, StaticRouteTable table)
    {
        _dir = dir;
        Ca = ca;
        Store = store;
        Certificate = certificate;
        Gateway = gateway;
        Table = table;
    }

    public PlatformCa Ca { get; }
    public IngressCertificateStore Store { get; }
    public PlatformCaIngressCertificate Certificate { get; }
    public IngressGateway Gateway { get; }
    public StaticRouteTable Table { get; }

    public static async Task<Harness> StartAsync(Action<IngressOptions>? configure = null, Microsoft.Extensions.Logging.ILoggerFactory? loggers = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "oc-ingress-" + Guid.NewGuid().ToString("n")[..8]);
        var ca = PlatformCa.LoadOrCreate(dir);
        var store = new IngressCertificateStore();
        var options = new IngressOptions
        {
            HttpEndpoint = new IPEndPoint(IPAddress.Loopback, 0),
            HttpsEndpoint = new IPEndPoint(IPAddress.Loopback, 0),
            AccessLog = false,
        };
        configure?.Invoke(options);
        var certificate = new PlatformCaIngressCertificate(ca, store, options.AppsDomain);
        var table = new StaticRouteTable();
        var gateway = await IngressGateway.StartAsync(options, table, store, loggers);
        return new Harness(dir, ca, store, certificate, gateway, table);
    }

    /// <summary>Sets the routes and waits until the proxy serves them.</summary>
    public async Task SetRoutesAsync(params RouteEntry[] routes)
    {
        var before = Gateway.AppliedRevision;
        Table.Set(routes);
        await Eventually.WaitUntilAsync(() => Gateway.AppliedRevision > before, "the gateway applied the new routes");
    }

    /// <summary>A client that sends every request to the gateway (HTTP or HTTPS port by scheme) and verifies TLS
    /// against <paramref name="trust"/> (default: the platform CA) with the platform's own chain and name checks.</summary>
    public HttpClient Client(X509Certificate2? trust = null) => new(Handler(trust)) { Timeout = TimeSpan.FromSeconds(20) };

    public SocketsHttpHandler Handler(X509Certificate2? trust = null)
    {
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            ConnectCallback = async (ctx, ct) =>
            {
                var port = ctx.InitialRequestMessage.RequestUri!.Scheme is "https" or "wss" ? Gateway.HttpsEndpoint!.Port : Gateway.HttpEndpoint!.Port;
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, port, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                // Browser-equivalent checks: chain to the given root, serverAuth, host name against the SANs.
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { trust ?? Ca.Issuer.Certificate },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
        };
    }

    public static RouteEntry Route(string name, string[] hosts, params RouteRule[] rules) =>
        new("rel-" + name, "dp-default-demo-development-00000000", name, hosts, rules,
            new Dictionary<string, string> { ["openchoreo.dev/component"] = name, ["openchoreo.dev/environment"] = "development" });

    public static RouteRule Rule(RoutePathMatch[] matches, params HttpBackend[] backends) =>
        new(matches, [new RouteBackend("svc", 80, 1, null, [.. backends.Select(b => b.EndPoint)])]);

    public static RoutePathMatch Prefix(string value) => new("PathPrefix", value);

    public static RoutePathMatch Exact(string value) => new("Exact", value);

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Certificate.DisposeAsync();
        Ca.Dispose();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}

internal static class HttpClientExtensions
{
    public static async Task<(HttpStatusCode Status, Echo Echo, string Body)> SendEchoAsync(this HttpClient client, HttpMethod method, string url, HttpContent? content = null, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        foreach (var (n, v) in headers) request.Headers.TryAddWithoutValidation(n, v);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, Echo.Parse(body), body);
    }

    public static Task<(HttpStatusCode Status, Echo Echo, string Body)> GetEchoAsync(this HttpClient client, string url, params (string Name, string Value)[] headers) =>
        client.SendEchoAsync(HttpMethod.Get, url, null, headers);
}
