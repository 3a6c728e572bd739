// Ingress benchmark (issue 7): the YARP gateway against nginx from the distribution, both proxying the same static
// backend (nginx serving one file) on this machine, with the same bounded wrk run. Everything is on 127.0.0.1.
// Usage: dotnet run -c Release --project bench/OpenChoreo.Ingress.Bench -- [--seconds 10] [--connections 64] [--threads 2] [--nginx-workers 2]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OpenChoreo.Ingress;
using OpenChoreo.Runtime.Podman;

var seconds = Arg("--seconds", 10);
var connections = Arg("--connections", 64);
var threads = Arg("--threads", 2);
var nginxWorkers = Arg("--nginx-workers", Environment.ProcessorCount);
const string Host = "bench.apps.openchoreo.localhost";

var dir = Directory.CreateTempSubdirectory("oc-ingress-bench-").FullName;
try
{
    // nginx runs as 'nobody' when the bench is root: the temp dir must be traversable.
    File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
    var www = Path.Combine(dir, "backend", "www");
    Directory.CreateDirectory(www);
    await File.WriteAllTextAsync(Path.Combine(www, "index.html"), "<!doctype html><title>bench</title><p>hello from the backend</p>\n");

    await using var backend = await Nginx.StartAsync(Path.Combine(dir, "backend"), FreePort(), 1, www, null);
    await using var proxy = await Nginx.StartAsync(Path.Combine(dir, "proxy"), FreePort(), nginxWorkers, null, backend.Port);
    var table = new BenchRouteTable(new RouteEntry("bench", "bench", "bench", [Host],
        [new RouteRule([new RoutePathMatch("PathPrefix", "/")], [new RouteBackend("backend", 80, 1, null, [new IPEndPoint(IPAddress.Loopback, backend.Port)])])],
        new Dictionary<string, string> { ["openchoreo.dev/component"] = "bench", ["openchoreo.dev/environment"] = "development" }));
    await using var gateway = await IngressGateway.StartAsync(
        new IngressOptions { HttpEndpoint = new IPEndPoint(IPAddress.Loopback, 0), HttpsEndpoint = null, AccessLog = false }, table, null);

    var targets = new (string Name, int Port)[] { ("direct", backend.Port), ("nginx", proxy.Port), ("gateway", gateway.HttpEndpoint!.Port) };
    foreach (var (name, port) in targets) await WaitOkAsync(name, port);

    // Warm-up (JIT, connection pools), not measured.
    await WrkResult.RunAsync(Url(gateway.HttpEndpoint.Port), Host, threads, connections, 3);
    await WrkResult.RunAsync(Url(proxy.Port), Host, threads, connections, 2);

    Console.WriteLine($"wrk -t{threads} -c{connections} -d{seconds}s on {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
    var load = new Dictionary<string, WrkResult>();
    foreach (var (name, port) in targets) load[name] = await WrkResult.RunAsync(Url(port), Host, threads, connections, seconds);
    // Added latency: one connection, one request at a time, so queueing under load does not hide the proxy's own cost.
    var single = new Dictionary<string, WrkResult>();
    foreach (var (name, port) in targets) single[name] = await WrkResult.RunAsync(Url(port), Host, 1, 1, Math.Max(3, seconds / 2));

    Console.WriteLine();
    Console.WriteLine("| target | req/s | p50 ms | p99 ms | errors | 1-conn p50 ms | 1-conn p99 ms |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
    foreach (var (name, _) in targets)
    {
        var l = load[name];
        var s = single[name];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {l.RequestsPerSecond:F0} | {l.P50Ms:F2} | {l.P99Ms:F2} | {l.Errors} | {s.P50Ms:F3} | {s.P99Ms:F3} |"));
    }
    var ratio = load["gateway"].RequestsPerSecond / load["nginx"].RequestsPerSecond;
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gateway/nginx requests/s ratio: {ratio:F2} (target >= 0.80)"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"added latency p99 (1 connection, vs direct): gateway {single["gateway"].P99Ms - single["direct"].P99Ms:F3} ms, nginx {single["nginx"].P99Ms - single["direct"].P99Ms:F3} ms"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"memory after the runs: gateway process RSS {Environment.WorkingSet / 1048576.0:F0} MiB (managed heap {GC.GetTotalMemory(false) / 1048576.0:F0} MiB), nginx proxy RSS {proxy.RssBytes() / 1048576.0:F0} MiB ({nginxWorkers} workers)"));
}
finally
{
    try { Directory.Delete(dir, recursive: true); }
    catch (IOException) { }
    catch (UnauthorizedAccessException) { }
}

static string Url(int port) => $"http://127.0.0.1:{port}/index.html";

async Task WaitOkAsync(string name, int port)
{
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
    var clock = Stopwatch.StartNew();
    while (true)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Url(port));
            request.Headers.Host = Host;
            using var response = await http.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.OK) return;
        }
        catch (HttpRequestException) { }
        if (clock.Elapsed > TimeSpan.FromSeconds(15)) throw new TimeoutException($"{name} on port {port} did not answer 200 (nginx logs: {dir})");
        await Task.Delay(50);
    }
}

static int FreePort()
{
    using var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    return ((IPEndPoint)l.LocalEndpoint).Port;
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>A fixed route table: the one route the bench serves.</summary>
internal sealed class BenchRouteTable(RouteEntry route) : IRouteTable
{
    public IReadOnlyList<RouteEntry> Routes { get; } = [route];

    public event Action? RoutesChanged { add { } remove { } }
}
