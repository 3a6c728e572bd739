using System.CommandLine;
using System.Text.Json.Nodes;
using OpenChoreo.Acme.Tests.Fixtures;
using OpenChoreo.Model;
using OpenChoreo.Server;
using OpenChoreo.Store;
using Microsoft.Extensions.DependencyInjection;

namespace OpenChoreo.Certificates.Tests;

/// <summary>bind9 (example.test: the control-plane hosts at 127.0.0.1, TSIG updates) and pebble, whose VA dials HTTP-01
/// on <see cref="Http01Port"/>: the port the control plane's plain-HTTP listener takes in each test.</summary>
public sealed class UpAcmeWorld : IAsyncLifetime
{
    public BindServer Bind { get; private set; } = null!;
    public PebbleServer Pebble { get; private set; } = null!;
    public int Http01Port { get; } = LoopbackPorts.Free();
    public string CaFile { get; } = Path.Combine(Path.GetTempPath(), "occ-up-acme-ca-" + Guid.NewGuid().ToString("N")[..8] + ".pem");

    public async ValueTask InitializeAsync()
    {
        Bind = await BindServer.StartAsync(ControlPlaneHosts.All(DomainControlPlane.Domain));
        Pebble = await PebbleServer.StartAsync(new PebbleSettings { HttpPort = Http01Port, DnsServer = Bind.EndPoint });
        await File.WriteAllTextAsync(CaFile, Pebble.TlsTrust.ToPem());
    }

    /// <summary>The key file tsig-keygen wrote for bind (the same file an operator would pass).</summary>
    public string TsigKeyFile => Path.Combine(Bind.Directory, "acme-key.conf");

    public ValueTask DisposeAsync()
    {
        Pebble?.Dispose();
        Bind?.Dispose();
        File.Delete(CaFile);
        return ValueTask.CompletedTask;
    }
}

/// <summary><c>openchoreo up --domain example.test --tls acme --acme-server …</c> against real pebble and bind9.</summary>
public sealed class UpAcmeTests(UpAcmeWorld world) : IClassFixture<UpAcmeWorld>
{
    private static readonly string Api = ControlPlaneHosts.Api(DomainControlPlane.Domain);

    private async Task<DomainControlPlane> StartAsync(UpTls tls)
    {
        var overrides = new Dictionary<string, string?>();
        tls.AddOverrides(overrides);
        var cp = await DomainControlPlane.StartAsync(overrides);
        await tls.ApplyAsync(cp.Store, TestContext.Current.CancellationToken);
        return cp;
    }

    private static async Task<ResourceObject> WaitReadyAsync(IResourceStore store, string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        ResourceObject? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await store.GetAsync(new ResourceKey("Certificate", UpTls.PlatformNamespace, name), TestContext.Current.CancellationToken);
            if (last is not null && Conditions.Get(last, "Ready") is { Status: Condition.True }) return last;
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException($"Certificate {name} did not become Ready; last: {last?.ToJson()}");
    }

    [Fact]
    public async Task Acme_http01_certificate_for_the_control_plane_hosts_is_served_by_sni_and_a_wildcard_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        var tls = UpTls.Parse(DomainControlPlane.Domain, "acme", world.Pebble.DirectoryUri.ToString(), "ops@example.test", world.CaFile,
            world.Http01Port, "127.0.0.1", null, null, out var error);
        Assert.Null(error);
        await using var cp = await StartAsync(tls!);
        Assert.Equal(world.Http01Port, cp.HttpPort);
        var ready = await WaitReadyAsync(cp.Store, UpTls.ControlPlaneCertificate);
        var roots = await world.Pebble.IssuingRootsAsync();

        // A new handshake with SNI api.openchoreo.example.test: pebble's certificate, verified against pebble's root.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        System.Security.Cryptography.X509Certificates.X509Certificate2? served = null;
        while (served is null)
        {
            try
            {
                served = await cp.HandshakeAsync(Api, roots, Api);
            }
            catch (System.Security.Authentication.AuthenticationException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, ct); // the listener still serves the platform-CA certificate until the snapshot updates
            }
        }
        using (served)
        {
            Assert.Equal((string)ready.Node["status"]!["serialNumber"]!, served.SerialNumber.ToLowerInvariant());
            Assert.Contains("Pebble", served.Issuer, StringComparison.Ordinal);
        }
        // The console and thunder hosts are in the same certificate; occ (no SNI) keeps the platform CA.
        using (var thunder = await cp.HandshakeAsync(ControlPlaneHosts.Thunder(DomainControlPlane.Domain), roots, ControlPlaneHosts.Thunder(DomainControlPlane.Domain))) { }
        using (var noSni = await cp.HandshakeAsync(null, cp.PlatformTrust, "127.0.0.1")) { }

        var banner = await tls!.DescribeAsync(cp.Store, cp.App.Services.GetRequiredService<SniCertificateSelector>(), ct);
        Assert.Contains($"{Api,-34} Secret openchoreo-system/openchoreo-control-plane-tls", banner, StringComparison.Ordinal);
        Assert.Contains("Certificate openchoreo-control-plane: Ready, valid until ", banner, StringComparison.Ordinal);
        Assert.Contains("*.apps.openchoreo.example.test     platform CA: a wildcard needs DNS-01 (--dns01-rfc2136 server:port --tsig-key-file F)", banner, StringComparison.Ordinal);

        // The apps wildcard over this HTTP-01-only issuer is refused by the controller, with the reason.
        await cp.Store.CreateAsync(new ResourceObject(new JsonObject
        {
            ["apiVersion"] = KindRegistry.GroupVersion,
            ["kind"] = "Certificate",
            ["metadata"] = new JsonObject { ["name"] = "apps", ["namespace"] = UpTls.PlatformNamespace },
            ["spec"] = new JsonObject
            {
                ["secretName"] = "apps-tls",
                ["dnsNames"] = new JsonArray("*.apps.openchoreo.example.test"),
                ["issuerRef"] = new JsonObject { ["name"] = UpTls.IssuerName, ["kind"] = "ClusterIssuer" },
            },
        }), ct);
        var refusedDeadline = DateTime.UtcNow.AddSeconds(30);
        Condition? refused = null;
        while (refused?.Reason != "Refused" && DateTime.UtcNow < refusedDeadline)
        {
            await Task.Delay(50, ct);
            refused = Conditions.Get((await cp.Store.GetAsync(new ResourceKey("Certificate", UpTls.PlatformNamespace, "apps"), ct))!, "Ready");
        }
        Assert.Equal("Refused", refused?.Reason);
        Assert.Equal("'*.apps.openchoreo.example.test' is a wildcard name and HTTP-01 cannot validate wildcards. Use DNS-01 (RFC 2136 or a DNS provider) or bring your own certificate.", refused!.Message);
        Assert.Null(await cp.Store.GetAsync(new ResourceKey("Secret", UpTls.PlatformNamespace, "apps-tls"), ct));
    }

    [Fact]
    public async Task Acme_dns01_issues_the_apps_wildcard_through_rfc2136_with_the_tsig_key_file()
    {
        var ct = TestContext.Current.CancellationToken;
        var tls = UpTls.Parse(DomainControlPlane.Domain, "acme", world.Pebble.DirectoryUri.ToString(), null, world.CaFile,
            world.Http01Port, "127.0.0.1", world.Bind.EndPoint.ToString(), world.TsigKeyFile, out var error);
        Assert.Null(error);
        await using var cp = await StartAsync(tls!);
        var apps = await WaitReadyAsync(cp.Store, UpTls.AppsCertificate);
        await WaitReadyAsync(cp.Store, UpTls.ControlPlaneCertificate);
        var secret = await cp.Store.GetAsync(new ResourceKey("Secret", UpTls.PlatformNamespace, "openchoreo-apps-tls"), ct);
        var pem = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)secret!.Node["data"]!["tls.crt"]!));
        using var leaf = OpenChoreo.Pki.Pem.ReadCertificate(pem);
        Assert.Equal(["*.apps.openchoreo.example.test"], leaf.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().SelectMany(x => x.EnumerateDnsNames()));
        Assert.Equal((string)apps.Node["status"]!["serialNumber"]!, leaf.SerialNumber.ToLowerInvariant());
        await tls!.WaitSettledAsync(cp.Store, TimeSpan.FromSeconds(5), TimeProvider.System, ct);
        // The index (API listener and data-plane ingress) picks the Secrets up from its watch; up waits for that before the banner.
        var selector = cp.App.Services.GetRequiredService<SniCertificateSelector>();
        await tls.WaitServedAsync(cp.Store, selector, TimeSpan.FromSeconds(30), TimeProvider.System, ct);
        Assert.Equal("openchoreo-apps-tls", selector.SecretFor("x.apps.openchoreo.example.test"));
        var banner = await tls.DescribeAsync(cp.Store, selector, ct);
        Assert.Contains("*.apps.openchoreo.example.test     Secret openchoreo-system/openchoreo-apps-tls\n", banner, StringComparison.Ordinal);
        Assert.Contains($"Certificate openchoreo-apps (DNS-01 via {world.Bind.EndPoint}): Ready, valid until ", banner, StringComparison.Ordinal);
    }

    public static TheoryData<string[], string> BadFlags => new()
    {
        { ["--domain", "example.test", "--tls", "acme"], "error: --tls acme needs --acme-server: the ACME directory URL, e.g. https://acme-v02.api.letsencrypt.org/directory" },
        { ["--tls", "acme", "--acme-server", "https://127.0.0.1:14000/dir"], "error: --tls acme needs --domain: certificates are issued for openchoreo.{domain}, api.openchoreo.{domain} and thunder.openchoreo.{domain}" },
        { ["--domain", "example.test", "--tls", "acme", "--acme-server", "http://127.0.0.1:14000/dir"], "error: --acme-server must be an https URL (got 'http://127.0.0.1:14000/dir')" },
        { ["--domain", "Example..test", "--tls", "acme", "--acme-server", "https://127.0.0.1:14000/dir"], "error: --domain 'Example..test' is not a DNS name such as example.com (lowercase labels, at least two)" },
        { ["--tls", "letsencrypt"], "error: --tls must be ca or acme (got 'letsencrypt')" },
        { ["--acme-server", "https://127.0.0.1:14000/dir"], "error: --acme-server is only used with --tls acme" },
        { ["--domain", "example.test", "--tls", "acme", "--acme-server", "https://127.0.0.1:14000/dir", "--dns01-rfc2136", "127.0.0.1:53"], "error: --dns01-rfc2136 needs --tsig-key-file: unsigned DNS updates are refused" },
        { ["--domain", "example.test", "--tls", "acme", "--acme-server", "https://127.0.0.1:14000/dir", "--acme-ca-file", "/nonexistent/ca.pem"], "error: --acme-ca-file /nonexistent/ca.pem does not exist" },
    };

    [Theory]
    [MemberData(nameof(BadFlags))]
    public async Task Bad_tls_flags_are_refused_with_the_exact_error_and_nothing_is_written(string[] flags, string expected)
    {
        var dir = Path.Combine(Path.GetTempPath(), "occ-up-bad-" + Guid.NewGuid().ToString("N")[..10]);
        var stderr = new StringWriter();
        var stdout = new StringWriter();
        var root = new RootCommand { UpCommand.Create() };
        var code = await root.Parse(["up", "--data-dir", dir, "--port", "0", "--no-data-plane", .. flags])
            .InvokeAsync(new InvocationConfiguration { Error = stderr, Output = stdout }, TestContext.Current.CancellationToken);
        Assert.Equal(2, code);
        Assert.Equal(expected, stderr.ToString().TrimEnd());
        Assert.Equal("", stdout.ToString());
        Assert.False(Directory.Exists(dir), "a refused up must not create its data directory");
    }
}
