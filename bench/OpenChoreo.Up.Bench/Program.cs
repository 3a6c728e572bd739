using System.Diagnostics;
using System.Globalization;
using System.Net;
using OpenChoreo.Server.Tests;

// From `occ apply` of a new Component + Workload (image already in podman's storage) to the first 200 through the
// ingress gateway, on a real `openchoreo up` (child process, own data dir and HOME, free ports). Each run deploys a new
// component (a 'service', 1 replica, exposed) and deletes it afterwards (not timed).
//   dotnet build bench/OpenChoreo.Up.Bench -c Release && dotnet run -c Release --no-build --project bench/OpenChoreo.Up.Bench -- [--runs 20]
var runs = int.Parse(Arg("--runs") ?? "20", CultureInfo.InvariantCulture);
const string Image = "localhost/openchoreo-samples/greeter:1";
Console.WriteLine($"{Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}; {runs} runs (+1 warm-up)");

var build = await UpInstance.ScriptAsync("samples/build.sh", "greeter");
if (build.Code != 0) return Fail($"samples/build.sh greeter failed: {build}");
await using var up = await UpInstance.StartAsync(TimeSpan.FromMinutes(2), CancellationToken.None);
Console.WriteLine($"up ready: API 127.0.0.1:{up.ApiPort}, apps https 127.0.0.1:{up.AppsHttpsPort}, containers plane={up.RuntimePlane}");
using var http = up.CreateAppsClient();
var suffix = Guid.NewGuid().ToString("n")[..5];
var times = new List<double>();
for (var i = -1; i < runs; i++)
{
    var name = $"bench{suffix}-{i + 1}";
    var file = Path.Combine(up.Root, name + ".yaml");
    await File.WriteAllTextAsync(file, Manifest(name));
    var url = up.ServiceUrl("development", name);
    var sw = Stopwatch.StartNew();
    var apply = await up.OccAsync("apply", "-f", file);
    if (apply.Code != 0) return Fail($"occ apply failed: {apply}");
    // Poll the URL (bounded by a 60 s deadline) until the first 200.
    while (true)
    {
        if (sw.Elapsed > TimeSpan.FromSeconds(60)) return Fail($"{url} did not answer 200 within 60 s\n{up.LogTail()}");
        try
        {
            using var response = await http.GetAsync(url);
            if (response.StatusCode == HttpStatusCode.OK) break;
        }
        catch (HttpRequestException) { }
        await Task.Delay(10);
    }
    var ms = sw.Elapsed.TotalMilliseconds;
    if (i >= 0) times.Add(ms);
    Console.WriteLine($"  {(i < 0 ? "warm-up" : $"run {i + 1,2}")}: {ms,7:0} ms");
    var delete = await up.OccAsync("delete", "component", name);
    if (delete.Code != 0) return Fail($"occ delete failed: {delete}");
    await up.WaitAsync($"{name}'s containers are gone", TimeSpan.FromSeconds(60), async () =>
        (await up.ContainersAsync("openchoreo.dev/component=" + name)).Count == 0 ? null : "containers remain", CancellationToken.None);
}
times.Sort();
Console.WriteLine($"apply → first 200 through the gateway: p50 {Pct(0.50):0} ms, p95 {Pct(0.95):0} ms, min {times[0]:0} ms, max {times[^1]:0} ms (target p50 ≤ 2000 ms)");
var down = await up.DownAsync(CancellationToken.None);
Console.WriteLine($"down: exit {down.Code}; load average {File.ReadAllText("/proc/loadavg").Trim()}");
return 0;

double Pct(double p) => times[Math.Clamp((int)Math.Ceiling(p * times.Count) - 1, 0, times.Count - 1)];

static string? Arg(string name)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static int Fail(string message)
{
    Console.Error.WriteLine("error: " + message);
    return 1;
}

static string Manifest(string name) => $"""
    apiVersion: openchoreo.dev/v1alpha1
    kind: Component
    metadata:
      name: {name}
      namespace: default
    spec:
      owner:
        projectName: default
      componentType: deployment/service
      autoDeploy: true
      parameters:
        port: 8080
        exposed: true
        replicas: 1
    ---
    apiVersion: openchoreo.dev/v1alpha1
    kind: Workload
    metadata:
      name: {name}-workload
      namespace: default
    spec:
      owner:
        projectName: default
        componentName: {name}
      containers:
        main:
          image: {Image}
      endpoints:
        http:
          type: HTTP
          port: 8080
    """;
