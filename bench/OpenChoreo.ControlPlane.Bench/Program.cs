using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenChoreo.Client;
using OpenChoreo.Model;

// Benchmarks a real `openchoreo control-plane` process through its HTTPS API:
//   dotnet run -c Release --project bench/OpenChoreo.ControlPlane.Bench -- [--backend sqlite|postgres] [--postgres CONN] [--controllers off]
// The server binary is built first (dotnet build src/OpenChoreo.Server -c Release). Loopback only; every loop bounded.
var backend = Arg("--backend") ?? "sqlite";
var pg = Arg("--postgres") ?? Environment.GetEnvironmentVariable("OPENCHOREO_TEST_POSTGRES");
// --controllers off measures the API and the store alone (no reconciles triggered by the applies).
var controllers = (Arg("--controllers") ?? "on") != "off";
var root = FindRoot();
var server = Arg("--server") ?? Path.Combine(root, "artifacts/build/bin/OpenChoreo.Server/release/openchoreo");
if (!File.Exists(server)) return Fail($"server binary not found at {server}: run 'dotnet build src/OpenChoreo.Server -c Release' first");
if (backend == "postgres" && string.IsNullOrEmpty(pg)) return Fail("--postgres CONNECTION (or $OPENCHOREO_TEST_POSTGRES) is required for the postgres back end");

var dataDir = Path.Combine(Path.GetTempPath(), "occ-bench-" + Guid.NewGuid().ToString("N")[..8]);
var psi = new ProcessStartInfo(server, ["control-plane", "--data-dir", dataDir, "--listen", "https://127.0.0.1:0"])
{
    RedirectStandardOutput = true,
    RedirectStandardError = true,
};
// The agents' gateway on a free port, so that the bench runs next to an instance that holds the default 8444.
psi.Environment["OPENCHOREO_CLUSTERGATEWAY__LISTEN"] = "https://127.0.0.1:" + FreePort();
if (!controllers) psi.Environment["OPENCHOREO_CONTROLLERS__ENABLED"] = "false";
if (backend == "postgres")
{
    var db = "bench_" + Guid.NewGuid().ToString("N")[..8];
    await CreateDatabase(pg!, db);
    psi.Environment["OPENCHOREO_STORE__DRIVER"] = "postgres";
    psi.Environment["OPENCHOREO_STORE__POSTGRESCONNECTIONSTRING"] = ReplaceDatabase(pg!, db);
}
using var proc = Process.Start(psi)!;
proc.OutputDataReceived += (_, e) =>
{
    // Informational lines are the server's normal chatter; warnings and failures may explain a result.
    if (e.Data is { } line && (line.Contains(" warn: ", StringComparison.Ordinal) || line.Contains(" fail: ", StringComparison.Ordinal) || line.Contains(" crit: ", StringComparison.Ordinal)))
    {
        Console.Error.WriteLine("server: " + line);
    }
};
proc.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("server: " + e.Data); };
proc.BeginOutputReadLine();
proc.BeginErrorReadLine();
try
{
    var context = await WaitForConfig(Path.Combine(dataDir, "occ-config"), proc);
    // At most 16 connections, as a real client pool would: unbounded, a burst of late requests on a busy machine
    // opens a new TLS connection each, and the handshakes then cost more than the requests they serve.
    using var client = new ApiClient(context, maxConnections: 16);
    var project = KindRegistry.Default.FindByKind("Project")!;
    Console.WriteLine($"backend {backend}; controllers {(controllers ? "on" : "off")}; server pid {proc.Id}; {Environment.ProcessorCount} cores; {context.Server}");

    await Task.Delay(TimeSpan.FromSeconds(3));
    var idleRss = RssMb(proc.Id);
    Report("control-plane idle RSS", idleRss, "MB", "≤ 150 MB");

    // Warm-up until steady state: rounds of 1,000 applies until, two rounds running, the runtime's tiering thread (it
    // re-JITs hot methods with optimisation) takes under 5 % of the server's CPU; otherwise the measured phase pays for the JIT and runs
    // part of its methods unoptimised. Labelled apart, so the list below still counts exactly 10,000.
    var warm = -1;
    var calm = 0;
    for (var round = 1; round <= 15 && calm < 2; round++)
    {
        var mark = CpuMark.Take(proc.Id);
        var jit = CpuMark.TieringCpuMs(proc.Id);
        var end = round * 1000;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref warm)) < end) await client.ApplyAsync(project, Project($"warm-{n}", label: "warmup"));
        }));
        var share = (CpuMark.TieringCpuMs(proc.Id) - jit) / Math.Max(1, CpuMark.Take(proc.Id).ServerMs - mark.ServerMs);
        Console.WriteLine($"  warm-up round {round} (1,000 applies): JIT tiering thread {share:P0} of server CPU");
        calm = share < 0.05 ? calm + 1 : 0;
    }
    await QuietAsync(proc.Id);

    // Applies/s: 4 concurrent clients, 4,000 distinct single-object applies.
    var cpu = CpuMark.Take(proc.Id);
    var sw = Stopwatch.StartNew();
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
    {
        int n;
        while ((n = Interlocked.Increment(ref next)) < 4000) await client.ApplyAsync(project, Project($"apply-{n}"));
    }));
    Report("single-object applies/s (4 clients)", 4000 / sw.Elapsed.TotalSeconds, "/s", "≥ 2,000/s on SQLite");
    cpu.Report("apply", 4000, proc.Id);
    Console.WriteLine($"  (JIT tiering thread: {(CpuMark.TieringCpuMs(proc.Id) - cpu.TieringMs) / 4000:F3} ms per apply of the server's)");

    // Get p99 at 500 req/s for 10 s, open loop: a pacer thread wakes about every millisecond (it sleeps; it does not
    // spin a core the server needs) and starts every request that is due. Latency runs from each request's scheduled
    // time, not from when it was sent, so a stalled pacer or client counts against the result (no coordinated omission).
    // The controllers reconcile what the applies created; let them finish so that the next phase is measured alone.
    await QuietAsync(proc.Id);
    cpu = CpuMark.Take(proc.Id);
    var latencies = await PacedGetsAsync(client, project, rate: 500, count: 5000, names: 4000);
    Report("get p50 at 500 req/s (open loop)", Percentile(latencies, 50), "ms", "");
    Report("get p99 at 500 req/s (open loop)", Percentile(latencies, 99), "ms", "≤ 5 ms, from scheduled time");
    cpu.Report("get", 5000, proc.Id);

    // List of 10,000 objects (4,000 exist; add the rest).
    next = 3999;
    await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
    {
        int n;
        while ((n = Interlocked.Increment(ref next)) < 10000) await client.ApplyAsync(project, Project($"apply-{n}"));
    }));
    var listTimes = new List<double>();
    await QuietAsync(proc.Id);
    cpu = CpuMark.Take(proc.Id);
    for (var i = 0; i < 5; i++)
    {
        var t0 = Stopwatch.GetTimestamp();
        var (items, _) = await client.ListAsync(project, "default", "bench=yes");
        listTimes.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        if (items.Count < 10000) return Fail($"list returned {items.Count} objects");
    }
    Report("list of 10,000 objects (median of 5)", Percentile(listTimes, 50), "ms", "≤ 300 ms");
    cpu.Report("list", 5, proc.Id);

    // Watch delivery to 100 watchers: 100 updates, 20 per second, latency from write to each watcher's receipt.
    await QuietAsync(proc.Id);
    var delivery = new List<double>();
    var sent = new Dictionary<string, long>();
    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
    var (_, rv) = await client.ListAsync(project, "default", "watchbench=yes");
    await client.ApplyAsync(project, Project("watched", watch: true));
    (_, rv) = await client.ListAsync(project, "default", "watchbench=yes");
    var received = 0;
    var watchers = Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
    {
        using var c = new ApiClient(context);
        // Only the first event carrying each sequence number counts: a later one (the controller's status write for
        // the same change) measures the reconcile, not the delivery.
        var seen = new HashSet<string>();
        await foreach (var e in c.WatchAsync(project, "default", "watchbench=yes", rv, cts.Token))
        {
            var stamp = e.Object.Annotations.GetValueOrDefault("bench/seq");
            if (stamp is null || !seen.Add(stamp)) continue;
            long t0;
            lock (sent) t0 = sent.TryGetValue(stamp, out var v) ? v : 0;
            if (t0 != 0) lock (delivery) delivery.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            if (seen.Count == 100) break;
        }
        Interlocked.Increment(ref received);
    })).ToArray();
    await Task.Delay(1000);
    for (var i = 0; i < 100; i++)
    {
        var obj = Project("watched", watch: true);
        obj.SetAnnotation("bench/seq", i.ToString(CultureInfo.InvariantCulture));
        lock (sent) sent[i.ToString(CultureInfo.InvariantCulture)] = Stopwatch.GetTimestamp();
        await client.ApplyAsync(project, obj);
        await Task.Delay(50);
    }
    await Task.WhenAll(watchers);
    Report("watch delivery p50 (100 watchers)", Percentile(delivery, 50), "ms", "");
    Report("watch delivery p99 (100 watchers)", Percentile(delivery, 99), "ms", "≤ 50 ms");
    Report("control-plane RSS after the run", RssMb(proc.Id), "MB", "");
    return 0;
}
finally
{
    proc.Kill(entireProcessTree: true);
    await proc.WaitForExitAsync();
    try { Directory.Delete(dataDir, true); } catch (IOException) { }
}

// Waits (at most 120 s) until the server uses under 10% of a core over half a second.
static async Task QuietAsync(int pid)
{
    var sw = Stopwatch.StartNew();
    while (sw.Elapsed < TimeSpan.FromSeconds(120))
    {
        var before = CpuMark.Take(pid).ServerMs;
        await Task.Delay(500);
        if (CpuMark.Take(pid).ServerMs - before < 50) break;
    }
    Console.WriteLine($"  (waited {sw.Elapsed.TotalSeconds:F1} s for the server to go quiet)");
}

static async Task<List<double>> PacedGetsAsync(ApiClient client, ResourceKind kind, int rate, int count, int names)
{
    var latencies = new List<double>(count);
    var inflight = new List<Task>(count);
    var pacer = new Thread(() =>
    {
        var start = Stopwatch.GetTimestamp();
        var i = 0;
        while (i < count)
        {
            var now = Stopwatch.GetTimestamp();
            for (; i < count; i++)
            {
                var due = start + (long)(i * (double)Stopwatch.Frequency / rate);
                if (due > now) break;
                var name = $"apply-{i % names}";
                inflight.Add(Task.Run(async () =>
                {
                    await client.GetAsync(kind, "default", name);
                    var ms = (Stopwatch.GetTimestamp() - due) * 1000.0 / Stopwatch.Frequency;
                    lock (latencies) latencies.Add(ms);
                }));
            }
            if (i < count) Thread.Sleep(1);
        }
    }) { IsBackground = true, Name = "get pacer" };
    pacer.Start();
    await Task.Run(pacer.Join);
    await Task.WhenAll(inflight);
    return latencies;
}

static ResourceObject Project(string name, bool watch = false, string label = "bench") => new(new JsonObject
{
    ["apiVersion"] = "openchoreo.dev/v1alpha1",
    ["kind"] = "Project",
    ["metadata"] = new JsonObject
    {
        ["name"] = name,
        ["namespace"] = "default",
        ["labels"] = watch ? new JsonObject { ["watchbench"] = "yes" } : new JsonObject { [label] = "yes" },
    },
    ["spec"] = new JsonObject { ["deploymentPipelineRef"] = "default" },
});

static void Report(string what, double value, string unit, string target) =>
    Console.WriteLine($"{what,-42} {value,10:F1} {unit,-3} {target}");

static double Percentile(List<double> values, double p)
{
    if (values.Count == 0) return double.NaN;
    var sorted = values.Order().ToArray();
    return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
}

static double RssMb(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
        {
            return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
    }
    return double.NaN;
}

static async Task<ClientContext> WaitForConfig(string path, Process proc)
{
    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (DateTime.UtcNow < deadline)
    {
        if (proc.HasExited) throw new InvalidOperationException($"the server exited with {proc.ExitCode}");
        if (File.Exists(path) && ClientConfig.Load(path).Current is { } c)
        {
            using var probe = new ApiClient(c);
            try
            {
                await probe.Http.GetStringAsync("/readyz");
                return c;
            }
            catch (HttpRequestException)
            {
            }
        }
        await Task.Delay(100);
    }
    throw new TimeoutException("the server did not become ready");
}

static async Task CreateDatabase(string conn, string db)
{
    var psql = new ProcessStartInfo("psql", [ToUri(conn), "-c", $"CREATE DATABASE {db}"]) { RedirectStandardOutput = true };
    using var p = Process.Start(psql)!;
    await p.WaitForExitAsync();
    if (p.ExitCode != 0) throw new InvalidOperationException("could not create the benchmark database");
}

static string ToUri(string conn)
{
    var parts = conn.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0].Trim().ToLowerInvariant(), kv => kv[1].Trim());
    return $"postgresql://{parts.GetValueOrDefault("username", "postgres")}@{parts.GetValueOrDefault("host", "127.0.0.1")}:{parts.GetValueOrDefault("port", "5432")}/{parts.GetValueOrDefault("database", "postgres")}";
}

static string ReplaceDatabase(string conn, string db) =>
    string.Join(';', conn.Split(';', StringSplitOptions.RemoveEmptyEntries).Where(kv => !kv.TrimStart().StartsWith("Database", StringComparison.OrdinalIgnoreCase)).Append($"Database={db}"));

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static int FreePort()
{
    using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    l.Start();
    return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
}

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OpenChoreo.slnx"))) dir = dir.Parent;
    return dir?.FullName ?? Directory.GetCurrentDirectory();
}

static int Fail(string message)
{
    Console.Error.WriteLine("error: " + message);
    return 1;
}

/// <summary>
/// CPU time used by the server and by this client over a phase, per operation: unlike rates and latencies it does
/// not depend on what else the machine runs, so it shows where the work is even on a busy machine.
/// </summary>
internal readonly record struct CpuMark(double ServerMs, double ClientMs, double TieringMs)
{
    public static CpuMark Take(int serverPid) =>
        new(ServerCpuMs(serverPid), Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds, TieringCpuMs(serverPid));

    /// <summary>CPU time of the server's tiered-compilation thread (the background JIT), from /proc.</summary>
    public static double TieringCpuMs(int pid)
    {
        double total = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered Com", StringComparison.Ordinal)) continue;
                total += TicksMs(File.ReadAllText(Path.Combine(task, "stat")));
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }
        return total;
    }

    public void Report(string what, int operations, int serverPid)
    {
        var now = Take(serverPid);
        Console.WriteLine($"  CPU per {what}: server {(now.ServerMs - ServerMs) / operations:F3} ms, client {(now.ClientMs - ClientMs) / operations:F3} ms");
    }

    private static double ServerCpuMs(int pid)
    {
        // /proc/PID/stat: the 14th and 15th fields (after the parenthesised name) are utime and stime in clock ticks.
        return TicksMs(File.ReadAllText($"/proc/{pid}/stat"));
    }

    private static double TicksMs(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }
}
