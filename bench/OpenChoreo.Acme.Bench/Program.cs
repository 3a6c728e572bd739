// Time to a certificate through HTTP-01 and DNS-01 (RFC 2136 + TSIG) against pebble and bind9 on loopback.
// Usage: dotnet run -c Release --project bench/OpenChoreo.Acme.Bench [-- RUNS]
// Each run uses a fresh ACME account, so no authorization is reused: every run proves control of every name.
using System.Diagnostics;
using System.Globalization;
using OpenChoreo.Acme;
using OpenChoreo.Acme.Tests.Fixtures;
using OpenChoreo.Pki;

var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
if (runs is < 1 or > 50) throw new ArgumentOutOfRangeException(nameof(args), "RUNS must be between 1 and 50.");

using var bind = await BindServer.StartAsync(["www.example.test", "api.example.test"]);
await using var http01 = await Http01Responder.StartAsync();
using var pebble = await PebbleServer.StartAsync(new PebbleSettings { HttpPort = http01.Port, DnsServer = bind.EndPoint });
var dnsSolver = new Rfc2136ChallengeSolver(bind.Rfc2136Options());
var httpSolver = new Http01ChallengeSolver(http01.Store);

var root = Path.Combine(Path.GetTempPath(), "oc-acme-bench-" + Guid.NewGuid().ToString("N")[..8]);
try
{
    // One warm-up of each path (JIT, connection setup), not counted.
    await IssueAsync(["www.example.test"], httpSolver);
    await IssueAsync(["*.apps.example.test"], dnsSolver);

    Report("HTTP-01 (www + api, SAN)", await MeasureAsync(["www.example.test", "api.example.test"], httpSolver));
    Report("DNS-01 RFC 2136 (*.apps wildcard)", await MeasureAsync(["*.apps.example.test"], dnsSolver));
}
finally
{
    Directory.Delete(root, recursive: true);
}

async Task<(List<double> Times, int Reused)> MeasureAsync(string[] names, IChallengeSolver solver)
{
    var times = new List<double>();
    var reused = 0;
    for (var i = 0; i < runs; i++)
    {
        var started = Stopwatch.GetTimestamp();
        reused += await IssueAsync(names, solver);
        times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
    return (times, reused);
}

// Returns how many authorizations the server reused (expected 0: each run has a new account).
async Task<int> IssueAsync(string[] names, IChallengeSolver solver)
{
    var reused = 0;
    var store = new KeyStore(Path.Combine(root, Guid.NewGuid().ToString("N")[..8]), new KeyStoreOptions { MasterKey = new byte[32], ReadEnvironment = false });
    var issuer = new CertificateIssuer(new CertificateIssuerOptions { Acme = pebble.ClientOptions(), AccountKeyStore = store, AgreeToTermsOfService = true });
    await issuer.IssueAsync(new CertificateIssueRequest { DnsNames = names, Solver = solver },
        new CountingProgress(p => { if (p.Stage == IssuanceStage.AuthorizationReused) reused++; }));
    return reused;
}

static void Report(string name, (List<double> Times, int Reused) result)
{
    var ms = result.Times;
    ms.Sort();
    double P(double q) => ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(q * ms.Count) - 1)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name,-36} runs={ms.Count,3}  p50={P(0.5),7:0.0} ms  p90={P(0.9),7:0.0} ms  min={ms[0],7:0.0} ms  max={ms[^1],7:0.0} ms  reused-authz={result.Reused}"));
}

sealed class CountingProgress(Action<IssuanceProgress> report) : IProgress<IssuanceProgress>
{
    public void Report(IssuanceProgress value) => report(value);
}
