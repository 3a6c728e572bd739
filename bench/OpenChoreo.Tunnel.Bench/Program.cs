// Tunnel benchmarks (issue: cluster gateway). Everything runs on 127.0.0.1 in this process: a control plane (SQLite
// store + gateway + HTTPS API listener) and N simulated agents (real mTLS WebSocket connections, real handshake).
// Usage: dotnet run -c Release --project bench/OpenChoreo.Tunnel.Bench -- [--agents 1000] [--rps 1000] [--seconds 5] [--stream-mb 256]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenChoreo.Gateway;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Store;
using OpenChoreo.Tunnel;
using OpenChoreo.Tunnel.Operations;

var agents = Arg("--agents", 1000);
var rps = Arg("--rps", 1000);
var seconds = Arg("--seconds", 5);
var streamMb = Arg("--stream-mb", 256);

var dir = Directory.CreateTempSubdirectory("oc-tunnel-bench-").FullName;
var ca = PlatformCa.LoadOrCreate(dir);
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
builder.Configuration.Sources.Clear();
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["dataDir"] = dir,
    ["clusterGateway:listen"] = "https://127.0.0.1:0",
    ["clusterGateway:heartbeatInterval"] = "00:00:10",
});
builder.Logging.ClearProviders();
builder.Services.AddSingleton(ca);
builder.Services.AddSqliteResourceStore(Path.Combine(dir, "store.db"));
builder.Services.AddClusterGateway(builder.Configuration);
var apiCert = ca.Issuer.IssueServerCertificate(new LeafCertificateRequest { IpAddresses = [IPAddress.Loopback], DnsNames = ["localhost"], Lifetime = TimeSpan.FromDays(1) });
builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(apiCert.Certificate)));
var app = builder.Build();
app.MapGet("/bench/ping", () => "pong");
await app.StartAsync();
var apiUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
var store = app.Services.GetRequiredService<IResourceStore>();
var gateway = app.Services.GetRequiredService<ClusterGateway>();
var certificates = app.Services.GetRequiredService<AgentCertificates>();
var connectUrl = app.Services.GetRequiredService<ClusterGatewayServer>().ConnectUrl!;

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; agents={agents} rps={rps} seconds={seconds} stream={streamMb} MB");

// Planes and certificates are prepared before the clock starts: the storm measures connecting, not signing.
var identities = Enumerable.Range(0, agents).Select(i => new PlaneIdentity("bench", "dataplane", $"dp{i}")).ToArray();
var certs = new X509Certificate2[agents];
for (var i = 0; i < agents; i++)
{
    var created = await store.CreateAsync(new ResourceObject(new JsonObject
    {
        ["apiVersion"] = "openchoreo.dev/v1alpha1", ["kind"] = "DataPlane",
        ["metadata"] = new JsonObject { ["name"] = identities[i].PlaneName, ["namespace"] = "bench" }, ["spec"] = new JsonObject(),
    }));
    var (key, csr) = SigningRequests.ForPlane(identities[i]);
    certs[i] = Pem.LoadCertificateWithKey(certificates.Sign(csr, identities[i], created.Uid!).ChainPem, Pem.WritePrivateKey(key));
}
var runtime = new BenchRuntime();
var handlers = new TunnelHandlers()
    .Map(TunnelOperations.Ping, (_, _, _) => ValueTask.FromResult(new PingReply(DateTimeOffset.UtcNow)))
    .MapStream(TunnelOperations.LogFollow, (r, s, ct) => runtime.StreamAsync(r.TailLines, s, ct));

GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
var before = GC.GetTotalMemory(true);
var storm = Stopwatch.StartNew();
var connections = new TunnelConnection[agents];
await Parallel.ForEachAsync(Enumerable.Range(0, agents), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
{
    connections[i] = await ConnectAsync(certs[i], ct);
});
while (gateway.Registry.Count < agents) await Task.Delay(5);
var allRegistered = storm.Elapsed;
// Connected in status = the lease written by the gateway.
var connectedInStatus = 0;
while (true)
{
    var list = await store.ListAsync(new ListOptions("DataPlane", "bench"));
    connectedInStatus = list.Items.Count(p => p.Status?["conditions"]?.AsArray().Any(c => (string?)c?["type"] == "Connected" && (string?)c?["status"] == "True") == true);
    if (connectedInStatus == agents || storm.Elapsed > TimeSpan.FromMinutes(2)) break;
    await Task.Delay(50);
}
var allConnected = storm.Elapsed;
GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
var after = GC.GetTotalMemory(true);
Console.WriteLine($"connect storm: {agents} agents registered in {allRegistered.TotalMilliseconds:0} ms, Connected in status after {allConnected.TotalMilliseconds:0} ms ({connectedInStatus}/{agents})");
Console.WriteLine($"managed memory per connection (gateway + in-process agent side, both counted): {(after - before) / agents / 1024.0:0.0} KiB");

// Round trip at a fixed rate: ping through the tunnel vs a direct HTTPS GET on the same machine.
var tunnelLatencies = await PacedAsync(rps, seconds, async () => await gateway.InvokeAsync(identities[0], TunnelOperations.Ping, Empty.Instance));
using var http = new HttpClient(new SocketsHttpHandler
{
    SslOptions = { RemoteCertificateValidationCallback = TlsPolicies.ServerCertificateValidator(() => ca.TrustBundle, "127.0.0.1") },
    MaxConnectionsPerServer = 64,
}) { BaseAddress = apiUrl };
var directLatencies = await PacedAsync(rps, seconds, async () => await http.GetStringAsync("/bench/ping"));
Console.WriteLine($"round trip at {rps} req/s for {seconds}s: tunnel p50 {P(tunnelLatencies, 50):0.00} ms p99 {P(tunnelLatencies, 99):0.00} ms; " +
    $"direct HTTPS p50 {P(directLatencies, 50):0.00} ms p99 {P(directLatencies, 99):0.00} ms; p99 ratio {P(tunnelLatencies, 99) / P(directLatencies, 99):0.00}");

// One stream: bytes from the agent to the gateway, credit-controlled.
var stream = await gateway.OpenStreamAsync(identities[0], TunnelOperations.LogFollow, new LogFollowRequest("bench", TailLines: streamMb));
var sw = Stopwatch.StartNew();
long total = 0;
await foreach (var chunk in stream.ReadAllAsync()) total += chunk.Length;
Console.WriteLine($"stream throughput: {total / (1024.0 * 1024):0} MiB in {sw.Elapsed.TotalSeconds:0.00} s = {total / (1024.0 * 1024) / sw.Elapsed.TotalSeconds:0} MiB/s");

foreach (var c in connections) c.Close("bench done");
await app.StopAsync();
Directory.Delete(dir, true);
return 0;

async Task<TunnelConnection> ConnectAsync(X509Certificate2 cert, CancellationToken ct)
{
    var socket = new ClientWebSocket();
    socket.Options.KeepAliveInterval = TimeSpan.Zero;
    var handler = new SocketsHttpHandler { SslOptions = TlsPolicies.MutualTlsClientOptions(connectUrl.IdnHost, cert, () => ca.TrustBundle) };
    await socket.ConnectAsync(connectUrl, new HttpMessageInvoker(handler), ct);
    var options = new TunnelConnectionOptions { HeartbeatInterval = TimeSpan.FromSeconds(10), MaxFrameBytes = 1024 * 1024 };
    var ack = await TunnelHandshake.ClientAsync(socket, new HelloMessage { AgentVersion = "bench", Capabilities = [.. handlers.Capabilities], StreamWindowBytes = options.StreamWindowBytes }, options, ct);
    var c = new TunnelConnection(socket, isAgent: true, handlers, ack.Capabilities, ack.StreamWindowBytes, options, NullLogger.Instance);
    _ = c.RunAsync();
    return c;
}

static async Task<double[]> PacedAsync(int rate, int seconds, Func<Task> call)
{
    var total = rate * seconds;
    var latencies = new double[total];
    var tasks = new Task[total];
    var start = Stopwatch.GetTimestamp();
    for (var i = 0; i < total; i++)
    {
        var due = TimeSpan.FromSeconds((double)i / rate);
        while (Stopwatch.GetElapsedTime(start) < due)
        {
            var wait = due - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.FromMilliseconds(2)) await Task.Delay(wait - TimeSpan.FromMilliseconds(1)); else Thread.SpinWait(50);
        }
        var n = i;
        tasks[i] = Task.Run(async () =>
        {
            var t0 = Stopwatch.GetTimestamp();
            await call();
            latencies[n] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        });
    }
    await Task.WhenAll(tasks);
    return latencies;
}

static double P(double[] values, int percentile)
{
    var sorted = values.Order().ToArray();
    return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1)];
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>Streams <c>megabytes</c> MiB in 64 KiB chunks (the stream's flow control paces it).</summary>
sealed class BenchRuntime
{
    private static readonly byte[] Chunk = new byte[64 * 1024];

    public async Task StreamAsync(int megabytes, TunnelStream stream, CancellationToken ct)
    {
        for (var i = 0; i < megabytes * 16; i++) await stream.WriteAsync(Chunk, ct);
    }
}
