// Time from creating a Certificate to its Ready=True (Issued) status, through the real controller, store and ACME
// client, against pebble (HTTP-01) and pebble + bind9 (DNS-01 wildcard, RFC 2136 + TSIG) on loopback.
// Usage: dotnet run -c Release --project bench/OpenChoreo.Certificates.Bench [-- RUNS]
// Each run has its own Issuer and account key, so pebble reuses no authorization.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenChoreo.Acme.Tests.Fixtures;
using OpenChoreo.Controllers.Runtime;
using OpenChoreo.Model;
using OpenChoreo.Store;

var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
if (runs is < 1 or > 50) throw new ArgumentOutOfRangeException(nameof(args), "RUNS must be between 1 and 50.");

using var bind = await BindServer.StartAsync(["www.example.test", "api.example.test"]);
await using var http01 = await Http01Responder.StartAsync();
using var pebble = await PebbleServer.StartAsync(new PebbleSettings { HttpPort = http01.Port, DnsServer = bind.EndPoint, AuthzReusePercent = 0 });
var dir = Path.Combine(Path.GetTempPath(), "oc-certs-bench-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(dir);
var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Configuration["controllers:leaderElection:retryPeriod"] = "00:00:00.200";
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSqliteResourceStore(Path.Combine(dir, "store.db"));
builder.Services.AddSealedSecrets(Path.Combine(dir, "secrets.key"));
builder.Services.AddControllerRuntime(builder.Configuration);
builder.Services.AddSingleton(http01.Store);
builder.Services.AddOpenChoreoCertificates(configure: o =>
{
    o.AcmePollInterval = TimeSpan.FromMilliseconds(20);
    o.AcmeMaxPollInterval = TimeSpan.FromMilliseconds(200);
});
using var host = builder.Build();
await host.StartAsync();
var store = host.Services.GetRequiredService<IResourceStore>();
const string Ns = "bench";
await store.CreateAsync(Obj("Organization", Ns, new JsonObject(), null));
await store.CreateAsync(Secret("tsig", "secret", bind.TsigSecret));
var caBundle = Convert.ToBase64String(Encoding.UTF8.GetBytes(pebble.TlsTrust.ToPem()));
var http = new JsonObject { ["http01"] = new JsonObject() };
var dns = new JsonObject
{
    ["dns01"] = new JsonObject
    {
        ["rfc2136"] = new JsonObject
        {
            ["nameserver"] = bind.EndPoint.ToString(), ["zone"] = BindServer.Zone, ["tsigKeyName"] = BindServer.KeyName,
            ["tsigSecretSecretRef"] = new JsonObject { ["name"] = "tsig", ["key"] = "secret" },
        },
    },
};
try
{
    // Warm-up of each path (JIT, connections), not counted; then the measured runs.
    await TimeAsync("warm-h", http, ["www.example.test"]);
    await TimeAsync("warm-d", dns, ["*.apps.example.test"]);
    var h = new List<double>();
    var d = new List<double>();
    for (var i = 0; i < runs; i++) h.Add(await TimeAsync($"h{i}", http, ["www.example.test", "api.example.test"]));
    for (var i = 0; i < runs; i++) d.Add(await TimeAsync($"d{i}", dns, ["*.apps.example.test"]));
    Report("HTTP-01 (www + api, SAN)", h);
    Report("DNS-01 RFC 2136 (*.apps wildcard)", d);
}
finally
{
    await host.StopAsync();
    Directory.Delete(dir, recursive: true);
}

async Task<double> TimeAsync(string name, JsonObject solver, string[] names)
{
    await store.CreateAsync(Obj("Issuer", name, new JsonObject
    {
        ["acme"] = new JsonObject
        {
            ["server"] = pebble.DirectoryUri.AbsoluteUri, ["caBundle"] = caBundle,
            ["privateKeySecretRef"] = new JsonObject { ["name"] = name + "-account" },
            ["solvers"] = new JsonArray(solver.DeepClone()),
        },
    }, Ns));
    var started = Stopwatch.GetTimestamp();
    await store.CreateAsync(Obj("Certificate", name, new JsonObject
    {
        ["secretName"] = name + "-tls",
        ["dnsNames"] = new JsonArray([.. names.Select(n => (JsonNode)n)]),
        ["issuerRef"] = new JsonObject { ["name"] = name, ["kind"] = "Issuer" },
    }, Ns));
    while (true)
    {
        var c = await store.GetAsync(new ResourceKey("Certificate", Ns, name));
        if (c is not null && Conditions.Get(c, "Ready") is { } r && r.Reason != "Issuing")
        {
            if (r.Reason != "Issued") throw new InvalidOperationException($"{name}: {r.Reason}: {r.Message}");
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        await Task.Delay(2);
    }
}

static void Report(string what, List<double> ms)
{
    ms.Sort();
    double P(double q) => ms[(int)Math.Min(ms.Count - 1, Math.Floor(q * ms.Count))];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{what}: n={ms.Count} p50={P(0.5):0} ms p90={P(0.9):0} ms min={ms[0]:0} ms max={ms[^1]:0} ms"));
}

static ResourceObject Obj(string kind, string name, JsonObject spec, string? ns) => new(new JsonObject
{
    ["apiVersion"] = KindRegistry.GroupVersion,
    ["kind"] = kind,
    ["metadata"] = ns is null ? new JsonObject { ["name"] = name } : new JsonObject { ["name"] = name, ["namespace"] = ns },
    ["spec"] = spec,
});

static ResourceObject Secret(string name, string key, string value) => new(new JsonObject
{
    ["apiVersion"] = KindRegistry.GroupVersion,
    ["kind"] = "Secret",
    ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "bench" },
    ["type"] = "Opaque",
    ["data"] = new JsonObject { [key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) },
});
