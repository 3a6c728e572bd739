using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenChoreo.Agent;
using OpenChoreo.Api.Bootstrap;
using OpenChoreo.Client;
using OpenChoreo.Gateway;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Server;
using OpenChoreo.Store;

// Release-chain figures of issue 6, in one process: a real control plane (SQLite, controllers on), a real agent over
// the mTLS tunnel with the in-memory runtime (the runtime boundary's test double).
//   dotnet run -c Release --project bench/OpenChoreo.ReleaseChain.Bench -- [--runs 50] [--components 1000]
var runs = int.Parse(Arg("--runs") ?? "50", CultureInfo.InvariantCulture);
var coldCount = int.Parse(Arg("--components") ?? "1000", CultureInfo.InvariantCulture);
Console.WriteLine($"{Environment.ProcessorCount} cores; {runs} apply runs; {coldCount} components cold start");

// 1. occ apply (API) of a Component + Workload → its Release applied by the agent.
var dir = Directory.CreateTempSubdirectory("oc-chain-bench-").FullName;
await using (var cp = await Host.StartAsync(dir, controllers: true))
{
    var runtime = await cp.ConnectAgentAsync();
    using var client = new ApiClient(cp.Context);
    var component = KindRegistry.Default.FindByKind("Component")!;
    var workload = KindRegistry.Default.FindByKind("Workload")!;
    var times = new List<double>();
    for (var i = -5; i < runs; i++) // 5 warm-up runs
    {
        var name = $"bench-{i + 5}";
        var sw = Stopwatch.StartNew();
        await client.ApplyAsync(workload, new ResourceObject(Workload(name)));
        await client.ApplyAsync(component, new ResourceObject(Component(name)));
        await WaitAsync(() => runtime.Releases.ContainsKey($"{name}-development"), TimeSpan.FromSeconds(30), $"{name} applied by the agent");
        if (i >= 0) times.Add(sw.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    Report("apply → Release applied by the agent, p50", Pct(times, 0.50), "ms", "≤ 300 ms");
    Report("apply → Release applied by the agent, p95", Pct(times, 0.95), "ms", "");
}

// 2. Cold start: the store already holds N components (written with controllers off); a new process reconciles them all.
var coldDir = Directory.CreateTempSubdirectory("oc-chain-cold-").FullName;
await using (var seed = await Host.StartAsync(coldDir, controllers: false))
{
    var store = seed.Services.GetRequiredService<IResourceStore>();
    for (var i = 0; i < coldCount; i++)
    {
        await store.CreateAsync(new ResourceObject(Workload($"cold-{i}")));
        await store.CreateAsync(new ResourceObject(Component($"cold-{i}")));
    }
}
GC.Collect();
var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
var sw2 = Stopwatch.StartNew();
await using (var cp = await Host.StartAsync(coldDir, controllers: true))
{
    var runtime = await cp.ConnectAgentAsync();
    await WaitAsync(() => runtime.Releases.Count >= coldCount, TimeSpan.FromMinutes(5), $"{coldCount} releases on the agent (have {runtime.Releases.Count})");
    Report($"{coldCount} components: cold start → every Release applied by the agent", sw2.Elapsed.TotalSeconds, "s", "≤ 30 s");
    var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
    Report($"managed heap growth holding {coldCount} reconciled components", (heapAfter - heapBefore) / 1048576.0, "MiB", "");
    Report("process working set (control plane + agent)", Process.GetCurrentProcess().WorkingSet64 / 1048576.0, "MiB", "");
}
return 0;

static JsonObject Component(string name) => new()
{
    ["apiVersion"] = KindRegistry.GroupVersion,
    ["kind"] = "Component",
    ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
    ["spec"] = new JsonObject
    {
        ["owner"] = new JsonObject { ["projectName"] = "default" },
        ["componentType"] = "deployment/service",
        ["autoDeploy"] = true,
        ["parameters"] = new JsonObject(),
    },
};

static JsonObject Workload(string name) => new()
{
    ["apiVersion"] = KindRegistry.GroupVersion,
    ["kind"] = "Workload",
    ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
    ["spec"] = new JsonObject
    {
        ["owner"] = new JsonObject { ["projectName"] = "default", ["componentName"] = name },
        ["containers"] = new JsonObject { ["main"] = new JsonObject { ["image"] = "ghcr.io/openchoreo/samples/greeter-service:latest" } },
        ["endpoints"] = new JsonObject { ["http"] = new JsonObject { ["type"] = "HTTP", ["port"] = 9090 } },
    },
};

static async Task WaitAsync(Func<bool> done, TimeSpan timeout, string what)
{
    var deadline = Stopwatch.StartNew();
    while (!done())
    {
        if (deadline.Elapsed > timeout) throw new TimeoutException("timed out waiting for " + what);
        await Task.Delay(2);
    }
}

static double Pct(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

static void Report(string what, double value, string unit, string target) =>
    Console.WriteLine($"{what}: {value.ToString("0.0", CultureInfo.InvariantCulture)} {unit}{(target.Length > 0 ? $" (target {target})" : "")}");

static string? Arg(string name)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>An in-process control plane plus one enrolled agent for DataPlane default/default.</summary>
internal sealed class Host : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(CancellationTokenSource Stop, Task Run)> _agents = [];

    private Host(WebApplication app, ClientContext context)
    {
        _app = app;
        Context = context;
    }

    public ClientContext Context { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<Host> StartAsync(string dir, bool controllers)
    {
        var app = ControlPlaneHost.Build(null, new Dictionary<string, string?>
        {
            ["dataDir"] = dir,
            ["listen"] = "https://127.0.0.1:0",
            ["clusterGateway:listen"] = "https://127.0.0.1:0",
            ["controllers:enabled"] = controllers ? "true" : "false",
        }, l => l.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        var gate = app.Services.GetRequiredService<ReadinessGate>();
        while (!gate.IsReady) await Task.Delay(10);
        return new Host(app, ClientConfig.Load(Path.Combine(dir, AdminAccessBootstrapper.ConfigFileName)).Current!);
    }

    public async Task<InMemoryReleaseRuntime> ConnectAgentAsync()
    {
        var store = _app.Services.GetRequiredService<IResourceStore>();
        var key = new ResourceKey("DataPlane", "default", "default");
        if (await store.GetAsync(key) is null)
        {
            await store.CreateAsync(new ResourceObject(new JsonObject
            {
                ["apiVersion"] = KindRegistry.GroupVersion,
                ["kind"] = "DataPlane",
                ["metadata"] = new JsonObject { ["name"] = "default", ["namespace"] = "default" },
                ["spec"] = new JsonObject { ["gateway"] = new JsonObject { ["publicVirtualHost"] = "apps.openchoreo.localhost", ["organizationVirtualHost"] = "org.openchoreo.localhost" } },
            }));
        }
        var id = new PlaneIdentity("default", "dataplane", "default");
        var token = await _app.Services.GetRequiredService<JoinTokens>().CreateAsync(id, CancellationToken.None);
        var creds = new AgentCredentials(Directory.CreateTempSubdirectory("oc-bench-agent-").FullName, id);
        await creds.EnrollAsync(new Uri(Context.Server), token.Token,
            OpenChoreo.Tunnel.Enrollment.CaFingerprint.Of(_app.Services.GetRequiredService<PlatformCa>().Issuer.Certificate));
        var runtime = new InMemoryReleaseRuntime();
        var agent = new PlaneAgent(new PlaneAgentOptions { GatewayUrl = _app.Services.GetRequiredService<ClusterGatewayServer>().ConnectUrl! },
            creds, runtime, _app.Services.GetRequiredService<ILoggerFactory>());
        var stop = new CancellationTokenSource();
        _agents.Add((stop, Task.Run(() => agent.RunAsync(stop.Token))));
        return runtime;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (stop, run) in _agents)
        {
            await stop.CancelAsync();
            try { await run; } catch (OperationCanceledException) { }
        }
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
