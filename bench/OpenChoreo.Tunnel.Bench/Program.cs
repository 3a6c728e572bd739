// Tunnel benchmarks (issue: cluster gateway). Everything runs on 127.0.0.1: a control plane in this process (SQLite
// store + gateway + HTTPS API listener) and N simulated agents in child processes (real mTLS WebSocket connections,
// real handshake), so gateway-side memory is measured apart from the agents'.
// Usage: dotnet run -c Release --project bench/OpenChoreo.Tunnel.Bench -- [--agents 1000] [--agent-processes 1] [--rps 1000] [--seconds 5] [--stream-mb 256]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenChoreo.Gateway;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Store;
using OpenChoreo.Tunnel;
using OpenChoreo.Tunnel.Operations;

if (args.Length == 5 && args[0] == "--agents-process")
    return await SimulatedAgents.RunProcessAsync(new Uri(args[1]), args[2], int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture));

var agents = Arg("--agents", 1000);
var processes = Math.Clamp(Arg("--agent-processes", 1), 1, 16);
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

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {LoadAverage()}; agents={agents} in {processes} process(es) rps={rps} seconds={seconds} stream={streamMb} MiB");

// Planes and certificates are prepared before the clock starts: the storm measures connecting, not signing. One more
// plane (index `agents`) warms the gateway's code paths up before memory is measured.
var certDir = Directory.CreateDirectory(Path.Combine(dir, "agents")).FullName;
await File.WriteAllTextAsync(Path.Combine(certDir, "ca.pem"), ca.TrustBundle.ToPem());
var identities = Enumerable.Range(0, agents + 1).Select(i => new PlaneIdentity("bench", "dataplane", $"dp{i}")).ToArray();
for (var i = 0; i <= agents; i++)
{
    var created = await store.CreateAsync(new ResourceObject(new JsonObject
    {
        ["apiVersion"] = "openchoreo.dev/v1alpha1", ["kind"] = "DataPlane",
        ["metadata"] = new JsonObject { ["name"] = identities[i].PlaneName, ["namespace"] = "bench" }, ["spec"] = new JsonObject(),
    }));
    var (key, csr) = SigningRequests.ForPlane(identities[i]);
    await File.WriteAllTextAsync(Path.Combine(certDir, $"{i}.crt"), certificates.Sign(csr, identities[i], created.Uid!).ChainPem);
    await File.WriteAllTextAsync(Path.Combine(certDir, $"{i}.key"), Pem.WritePrivateKey(key));
}
var warmCert = Pem.LoadCertificateWithKey(File.ReadAllText(Path.Combine(certDir, $"{agents}.crt")), File.ReadAllText(Path.Combine(certDir, $"{agents}.key")));
var warm = await SimulatedAgents.ConnectAsync(connectUrl, warmCert, ca.TrustBundle, SimulatedAgents.Handlers(), CancellationToken.None);
await gateway.InvokeAsync(identities[agents], TunnelOperations.Ping, Empty.Instance);
await warm.CloseAsync("warm-up done");
while (gateway.Registry.Count > 0) await Task.Delay(5);

Measure.Collect();
var before = GC.GetTotalMemory(true);
var workingSetBefore = Environment.WorkingSet;
var storm = Stopwatch.StartNew();
var children = new List<Process>();
var perProcess = (agents + processes - 1) / processes;
for (var from = 0; from < agents; from += perProcess)
    children.Add(StartAgents(connectUrl, certDir, from, Math.Min(perProcess, agents - from)));
while (gateway.Registry.Count < agents)
{
    if (children.Any(c => c.HasExited)) throw new InvalidOperationException("a simulated-agent process exited early");
    await Task.Delay(5);
}
var allRegistered = storm.Elapsed;
// Connected in status = the lease written by the gateway.
int connectedInStatus;
while (true)
{
    var list = await store.ListAsync(new ListOptions("DataPlane", "bench"));
    connectedInStatus = list.Items.Count(p => p.Status?["conditions"]?.AsArray().Any(c => (string?)c?["type"] == "Connected" && (string?)c?["status"] == "True") == true);
    if (connectedInStatus >= agents || storm.Elapsed > TimeSpan.FromMinutes(3)) break;
    await Task.Delay(50);
}
var allConnected = storm.Elapsed;
var agentSide = new List<(double Managed, double WorkingSet)>();
foreach (var c in children)
{
    while (await c.StandardOutput.ReadLineAsync() is { } line)
    {
        if (!line.StartsWith(SimulatedAgents.ReadyPrefix, StringComparison.Ordinal)) continue;
        var parts = line[SimulatedAgents.ReadyPrefix.Length..].Split(' ');
        agentSide.Add((double.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture)));
        break;
    }
}
Measure.Collect();
var after = GC.GetTotalMemory(true);
var workingSetAfter = Environment.WorkingSet;
Console.WriteLine($"connect storm: {agents} agents registered in {allRegistered.TotalMilliseconds:0} ms, Connected in status after {allConnected.TotalMilliseconds:0} ms ({connectedInStatus}/{agents})");
Console.WriteLine($"gateway memory per connected agent: managed {(after - before) / (double)agents / 1024:0.0} KiB, working set {(workingSetAfter - workingSetBefore) / (double)agents / 1024:0.0} KiB (includes native TLS state)");
Console.WriteLine($"simulated agent side (separate process) per connection: managed {agentSide.Average(a => a.Managed) / 1024:0.0} KiB, working set {agentSide.Average(a => a.WorkingSet) / 1024:0.0} KiB");

// Round trip at a fixed rate: ping through the tunnel (to an agent in another process) vs a direct HTTPS GET.
using var http = new HttpClient(new SocketsHttpHandler
{
    SslOptions = { RemoteCertificateValidationCallback = TlsPolicies.ServerCertificateValidator(() => ca.TrustBundle, "127.0.0.1") },
    MaxConnectionsPerServer = 64,
}) { BaseAddress = apiUrl };
Func<Task> tunnelCall = async () => await gateway.InvokeAsync(identities[0], TunnelOperations.Ping, Empty.Instance);
Func<Task> directCall = async () => await http.GetStringAsync("/bench/ping");
await Paced.RunAsync(rps, 1, tunnelCall); // warm-up (JIT, pools), not counted
await Paced.RunAsync(rps, 1, directCall);
var tunnelLatencies = await Paced.RunAsync(rps, seconds, tunnelCall);
var directLatencies = await Paced.RunAsync(rps, seconds, directCall);
Console.WriteLine($"round trip at {rps} req/s for {seconds}s: tunnel p50 {Paced.P(tunnelLatencies, 50):0.00} ms p99 {Paced.P(tunnelLatencies, 99):0.00} ms; " +
    $"direct HTTPS p50 {Paced.P(directLatencies, 50):0.00} ms p99 {Paced.P(directLatencies, 99):0.00} ms; p99 ratio {Paced.P(tunnelLatencies, 99) / Paced.P(directLatencies, 99):0.00}");

// One stream: bytes from the agent (another process) to the gateway, credit-controlled.
var stream = await gateway.OpenStreamAsync(identities[0], TunnelOperations.LogFollow, new LogFollowRequest("bench", TailLines: streamMb));
var sw = Stopwatch.StartNew();
long total = 0;
await foreach (var chunk in stream.ReadAllAsync()) total += chunk.Length;
Console.WriteLine($"stream throughput: {total / (1024.0 * 1024):0} MiB in {sw.Elapsed.TotalSeconds:0.00} s = {total / (1024.0 * 1024) / sw.Elapsed.TotalSeconds:0} MiB/s ({total / 1e6 / sw.Elapsed.TotalSeconds:0} MB/s)");
Console.WriteLine($"load average at the end: {LoadAverage()}");

foreach (var c in children)
{
    c.StandardInput.Close();
    if (!c.WaitForExit(TimeSpan.FromSeconds(10))) c.Kill(entireProcessTree: true);
}
await app.StopAsync();
Directory.Delete(dir, true);
return 0;

static Process StartAgents(Uri url, string certDir, int from, int count)
{
    var self = Environment.ProcessPath!;
    var info = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(typeof(SimulatedAgents).Assembly.Location);
    foreach (var a in new[] { "--agents-process", url.ToString(), certDir, from.ToString(CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture) })
        info.ArgumentList.Add(a);
    return Process.Start(info)!;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>Open-loop load at a fixed rate: requests start on schedule whether or not earlier ones finished.</summary>
static class Paced
{
    public static async Task<double[]> RunAsync(int rate, int seconds, Func<Task> call)
    {
        var total = rate * seconds;
        var latencies = new double[total];
        var tasks = new List<Task>(total);
        var start = Stopwatch.GetTimestamp();
        var issued = 0;
        // No spinning (it would take a core from what is measured): every millisecond, start what is due.
        while (issued < total)
        {
            var due = Math.Min(total, (int)(Stopwatch.GetElapsedTime(start).TotalSeconds * rate) + 1);
            for (; issued < due; issued++)
            {
                var n = issued;
                var scheduled = start + (long)(n * (double)Stopwatch.Frequency / rate);
                tasks.Add(Task.Run(async () =>
                {
                    // Latency from the scheduled start when started late (no coordinated omission), else from the start.
                    var from = Math.Min(scheduled, Stopwatch.GetTimestamp());
                    await call();
                    latencies[n] = Stopwatch.GetElapsedTime(from).TotalMilliseconds;
                }));
            }
            await Task.Delay(1);
        }
        await Task.WhenAll(tasks);
        return latencies;
    }

    public static double P(double[] values, int percentile)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1)];
    }
}
