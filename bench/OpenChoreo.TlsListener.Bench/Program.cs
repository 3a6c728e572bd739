// TLS handshakes per second on the control plane's one API listener, where the certificate is chosen per handshake by
// SNI from the TLS Secrets of Certificates (here: one issued by the platform CA for the domain's three hosts).
// Each handshake is a new TCP connection; CLIENTS loops run in parallel for SECONDS each mode. Modes: full handshakes
// (client resumption off), resumable sessions (client resumption on: the server may resume), and an unknown SNI name
// (the platform-CA fallback).
// Usage: dotnet run -c Release --project bench/OpenChoreo.TlsListener.Bench [-- SECONDS [CLIENTS]]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenChoreo.Api.Bootstrap;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Server;
using OpenChoreo.Store;

var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
if (seconds is <= 0 or > 120) throw new ArgumentOutOfRangeException(nameof(args), "SECONDS must be in (0, 120].");
if (clients is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(args), "CLIENTS must be 1-64.");
const string Domain = "example.test";
const int MaxHandshakesPerClient = 2_000_000;

var dir = Path.Combine(Path.GetTempPath(), "oc-tls-bench-" + Guid.NewGuid().ToString("N")[..8]);
var app = ControlPlaneHost.Build(null, new Dictionary<string, string?>
{
    ["dataDir"] = dir,
    ["listen"] = "https://127.0.0.1:0",
    ["clusterGateway:listen"] = "https://127.0.0.1:0",
    ["domain"] = Domain,
}, l => l.SetMinimumLevel(LogLevel.Warning));
try
{
    await app.StartAsync();
    var gate = app.Services.GetRequiredService<ReadinessGate>();
    while (!gate.IsReady) await Task.Delay(20);
    var port = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).First(u => u.Scheme == "https").Port;
    var store = app.Services.GetRequiredService<IResourceStore>();
    await store.CreateAsync(Obj("ClusterIssuer", "platform", null, new JsonObject { ["ca"] = new JsonObject { ["secretName"] = "platform-ca" } }));
    await store.CreateAsync(Obj("Certificate", "control-plane", "openchoreo-system", new JsonObject
    {
        ["secretName"] = "control-plane-tls",
        ["dnsNames"] = new JsonArray([.. ControlPlaneHosts.All(Domain).Select(n => (JsonNode)n)]),
        ["issuerRef"] = new JsonObject { ["name"] = "platform", ["kind"] = "ClusterIssuer" },
    }));
    var trust = app.Services.GetRequiredService<PlatformCa>().TrustBundle;
    var selector = app.Services.GetRequiredService<SniCertificateSelector>();
    var api = ControlPlaneHosts.Api(Domain);
    var deadline = Stopwatch.StartNew();
    while (selector.SecretFor(api) is null)
    {
        if (deadline.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("the Certificate's Secret was not picked up");
        await Task.Delay(20);
    }

    Console.WriteLine($"listener 127.0.0.1:{port}, {clients} clients, {seconds} s per mode, {Environment.ProcessorCount} cores");
    await RunAsync("warm-up (not counted)", api, resume: false, Math.Min(seconds, 2));
    await RunAsync($"full handshakes, SNI {api}", api, resume: false, seconds);
    await RunAsync($"resumable sessions, SNI {api}", api, resume: true, seconds);
    await RunAsync("full handshakes, unknown SNI (platform-CA fallback)", "other.example.test", resume: false, seconds);

    async Task RunAsync(string label, string sni, bool resume, double duration)
    {
        var validateAs = sni == api ? api : "localhost";
        var validator = TlsPolicies.ServerCertificateValidator(() => trust, validateAs);
        var stop = Stopwatch.StartNew();
        var latencies = new List<double>[clients];
        var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = latencies[c] = [];
            var options = new SslClientAuthenticationOptions
            {
                TargetHost = sni,
                AllowTlsResume = resume,
                EnabledSslProtocols = SslProtocols.Tls13 | SslProtocols.Tls12,
                RemoteCertificateValidationCallback = validator,
            };
            while (stop.Elapsed.TotalSeconds < duration && mine.Count < MaxHandshakesPerClient)
            {
                var t0 = Stopwatch.GetTimestamp();
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
                await tls.AuthenticateAsClientAsync(options);
                mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var elapsed = stop.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double P(double q) => all[Math.Min(all.Length - 1, (int)(q * all.Length))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label,-62} {all.Length / elapsed,8:F0} handshakes/s   p50 {P(0.5):F2} ms   p99 {P(0.99):F2} ms   ({all.Length} in {elapsed:F1} s)"));
    }
}
finally
{
    await app.StopAsync();
    await app.DisposeAsync();
    Directory.Delete(dir, recursive: true);
}

static ResourceObject Obj(string kind, string name, string? ns, JsonObject spec) => new(new JsonObject
{
    ["apiVersion"] = KindRegistry.GroupVersion,
    ["kind"] = kind,
    ["metadata"] = ns is null ? new JsonObject { ["name"] = name } : new JsonObject { ["name"] = name, ["namespace"] = ns },
    ["spec"] = spec,
});
