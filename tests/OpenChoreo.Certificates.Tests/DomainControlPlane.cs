using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenChoreo.Api.Bootstrap;
using OpenChoreo.Pki;
using OpenChoreo.Server;
using OpenChoreo.Store;

namespace OpenChoreo.Certificates.Tests;

/// <summary>A real control-plane host with a base domain and the plain-HTTP listener, on loopback ports.</summary>
public sealed class DomainControlPlane : IAsyncDisposable
{
    public const string Domain = "example.test";
    public const string PlatformNamespace = "openchoreo-system";

    private DomainControlPlane(WebApplication app, string dir)
    {
        App = app;
        DataDir = dir;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        ApiPort = addresses.First(a => a.Scheme == "https").Port;
        HttpPort = addresses.FirstOrDefault(a => a.Scheme == "http")?.Port ?? 0;
    }

    public WebApplication App { get; }
    public string DataDir { get; }
    public int ApiPort { get; }
    public int HttpPort { get; }

    public IResourceStore Store => App.Services.GetRequiredService<IResourceStore>();

    public TrustBundle PlatformTrust => App.Services.GetRequiredService<PlatformCa>().TrustBundle;

    public static async Task<DomainControlPlane> StartAsync(IDictionary<string, string?>? extra = null, string? dataDir = null)
    {
        var dir = dataDir ?? Path.Combine(Path.GetTempPath(), "occ-domain-cp-" + Guid.NewGuid().ToString("N")[..10]);
        var overrides = new Dictionary<string, string?>
        {
            ["dataDir"] = dir,
            ["listen"] = "https://127.0.0.1:0",
            ["clusterGateway:listen"] = "https://127.0.0.1:0",
            ["domain"] = Domain,
            ["httpListen"] = "http://127.0.0.1:0",
            ["certificates:initialBackoff"] = "00:00:00.300",
            ["certificates:maxBackoff"] = "00:00:02",
            ["certificates:acmePollInterval"] = "00:00:00.020",
            ["certificates:acmeMaxPollInterval"] = "00:00:00.200",
            ["certificates:acmePollTimeout"] = "00:00:30",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) overrides[k] = v;
        var app = ControlPlaneHost.Build(null, overrides, l =>
        {
            l.SetMinimumLevel(Environment.GetEnvironmentVariable("OCC_TEST_LOG") == "1" ? LogLevel.Information : LogLevel.Warning);
        });
        await app.StartAsync();
        var gate = app.Services.GetRequiredService<ReadinessGate>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!gate.IsReady)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the control plane did not become ready");
            await Task.Delay(20);
        }
        await app.Services.GetRequiredService<SniCertificateSelector>().Loaded.WaitAsync(TimeSpan.FromSeconds(30));
        return new DomainControlPlane(app, dir);
    }

    /// <summary>A new TLS connection to the API port with <paramref name="sni"/>; the certificate is checked against
    /// <paramref name="trust"/> for the name <paramref name="validateAs"/> (the handshake fails otherwise).</summary>
    public async Task<X509Certificate2> HandshakeAsync(string? sni, TrustBundle trust, string validateAs)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, ApiPort);
        var validator = TlsPolicies.ServerCertificateValidator(() => trust, validateAs);
        X509Certificate2? seen = null;
        await using var tls = new SslStream(tcp.GetStream(), false, (s, c, ch, e) =>
        {
            seen = c is null ? null : X509CertificateLoader.LoadCertificate(c.GetRawCertData());
            return validator(s, c, ch, e);
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = sni ?? "", });
        return seen!;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
