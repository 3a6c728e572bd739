using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using OpenChoreo.Pki;

namespace OpenChoreo.Acme.Tests.Fixtures;

/// <summary>Settings of one pebble instance.</summary>
public sealed record PebbleSettings
{
    /// <summary>Where pebble's VA connects for HTTP-01 (our responder's loopback port).</summary>
    public required int HttpPort { get; init; }

    /// <summary>The DNS server pebble's VA uses for A and TXT lookups (bind9).</summary>
    public required IPEndPoint DnsServer { get; init; }

    /// <summary>Percentage of valid nonces pebble rejects with badNonce.</summary>
    public int NonceRejectPercent { get; init; }

    /// <summary>Percentage of orders that reuse a valid authorization (pebble's default is 50).</summary>
    public int? AuthzReusePercent { get; init; }
}

/// <summary>
/// A real pebble ACME server on free loopback ports. Pebble ships without a TLS certificate: the fixture makes one for
/// 127.0.0.1 with the platform PKI, so clients verify TLS against <see cref="TlsTrust"/>.
/// </summary>
public sealed class PebbleServer : IDisposable
{
    private readonly ExternalProcess _process;

    private PebbleServer(string directory, int port, int managementPort, TrustBundle trust, ExternalProcess process)
    {
        Directory = directory;
        DirectoryUri = new Uri($"https://127.0.0.1:{port}/dir");
        ManagementUri = new Uri($"https://127.0.0.1:{managementPort}/");
        TlsTrust = trust;
        _process = process;
    }

    public string Directory { get; }
    public Uri DirectoryUri { get; }
    public Uri ManagementUri { get; }

    /// <summary>The CA of pebble's own TLS certificate (not the CA that signs ACME certificates).</summary>
    public TrustBundle TlsTrust { get; }

    public string Output => _process.Output;

    public AcmeClientOptions ClientOptions() => new()
    {
        DirectoryUri = DirectoryUri,
        TrustBundle = TlsTrust,
        PollInterval = TimeSpan.FromMilliseconds(20),
        MaxPollInterval = TimeSpan.FromMilliseconds(200),
        PollTimeout = TimeSpan.FromSeconds(30),
    };

    public static async Task<PebbleServer> StartAsync(PebbleSettings settings)
    {
        var dir = Path.Combine(Path.GetTempPath(), "oc-pebble-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(dir);
        using var ca = CertificateAuthority.Create(new CertificateAuthorityOptions { CommonName = "pebble test TLS CA" });
        var tls = ca.IssueServerCertificate(new LeafCertificateRequest { DnsNames = ["localhost"], IpAddresses = [IPAddress.Loopback] });
        await File.WriteAllTextAsync(Path.Combine(dir, "cert.pem"), tls.ChainPem);
        await File.WriteAllTextAsync(Path.Combine(dir, "key.pem"), tls.PrivateKeyPem);
        int port = LoopbackPorts.Free(), management = LoopbackPorts.Free(), tlsPort = LoopbackPorts.Free();
        var config = new JsonObject
        {
            ["pebble"] = new JsonObject
            {
                ["listenAddress"] = $"127.0.0.1:{port}",
                ["managementListenAddress"] = $"127.0.0.1:{management}",
                ["certificate"] = Path.Combine(dir, "cert.pem"),
                ["privateKey"] = Path.Combine(dir, "key.pem"),
                ["httpPort"] = settings.HttpPort,
                ["tlsPort"] = tlsPort,
                ["ocspResponderURL"] = "",
                ["externalAccountBindingRequired"] = false,
            },
        };
        var configPath = Path.Combine(dir, "pebble.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString());
        var env = new Dictionary<string, string>
        {
            ["PEBBLE_VA_NOSLEEP"] = "1",
            ["PEBBLE_WFE_NONCEREJECT"] = settings.NonceRejectPercent.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (settings.AuthzReusePercent is { } reuse) env["PEBBLE_AUTHZREUSE"] = reuse.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = new ExternalProcess("pebble", ["-config", configPath, "-dnsserver", settings.DnsServer.ToString()], env);
        var server = new PebbleServer(dir, port, management, new TrustBundle([System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(ca.Certificate.RawData)]), process);
        try
        {
            var started = Stopwatch.GetTimestamp();
            while (!await AcceptsAsync(port) || !await AcceptsAsync(management))
            {
                if (process.HasExited) throw new InvalidOperationException("pebble exited:\n" + process.Output);
                if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(20)) throw new TimeoutException("pebble did not listen within 20 s:\n" + process.Output);
                await Task.Delay(20);
            }
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>The root that signs pebble's ACME certificates (changes on every pebble start).</summary>
    public async Task<TrustBundle> IssuingRootsAsync()
    {
        var bundle = TlsTrust;
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = TlsPolicies.ServerCertificateValidator(() => bundle, "127.0.0.1");
        using var http = new HttpClient(handler);
        var pem = await http.GetStringAsync(new Uri(ManagementUri, "roots/0"));
        return TrustBundle.FromPem(pem);
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
