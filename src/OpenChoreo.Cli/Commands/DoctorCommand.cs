using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenChoreo.Cli.Doctor;
using OpenChoreo.Model;

namespace OpenChoreo.Cli.Commands;

/// <summary>
/// <c>occ doctor</c>: checks a live installation against the deployment checklist and prints pass / warn / fail per
/// item with the fix. Exit code 1 when anything fails, so it can gate a pipeline.
/// </summary>
public static class DoctorCommand
{
    public static Command Create(GlobalOptions globals, CliIO io)
    {
        var domain = new Option<string?>("--domain") { Description = "Base domain D: also check that every host resolves and serves a trusted certificate covering it" };
        var dns = new Option<string?>("--dns-server") { Description = "Ask this DNS server (IP[:PORT]) instead of the system resolver" };
        var httpsPort = new Option<int>("--https-port") { Description = "Port of the control-plane hosts (console, API, identity, registry)", DefaultValueFactory = _ => 443 };
        var appsPort = new Option<int>("--apps-https-port") { Description = "Port of the data-plane gateway for app hosts", DefaultValueFactory = _ => 443 };
        var trust = new Option<string[]>("--trust") { Description = "PEM file of extra CA certificates to trust (repeatable)", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output", "-o") { Description = "text or json", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var cmd = new Command("doctor", "Check a live installation: control plane, agents, runtimes, certificates, ACME issuers, DNS and TLS of every host")
        {
            domain, dns, httpsPort, appsPort, trust, output,
        };
        cmd.SetAction((p, ct) => CommandRunner.RunAsync(io, async () =>
        {
            var d = p.GetValue(domain);
            if (d is not null && !Names.IsDns1123Subdomain(d)) throw new CliException($"--domain: \"{d}\" is not a DNS name");
            var roots = new X509Certificate2Collection();
            foreach (var f in p.GetValue(trust) ?? [])
            {
                if (!File.Exists(f)) throw new CliException($"--trust: {f}: no such file");
                var before = roots.Count;
                roots.ImportFromPemFile(f);
                if (roots.Count == before) throw new CliException($"--trust: {f} holds no PEM certificate");
            }
            var options = new DoctorOptions
            {
                Domain = d,
                DnsServer = p.GetValue(dns) is { } s ? ParseEndPoint(s) : null,
                HttpsPort = p.GetValue(httpsPort),
                AppsHttpsPort = p.GetValue(appsPort),
                ExtraRoots = roots,
            };
            using var api = globals.Connect(p);
            var checks = await new DoctorRunner(api, options, TimeProvider.System).RunAsync(ct);
            await io.Out.WriteAsync(p.GetValue(output) == "json" ? Json(checks) : Text(api.Context.Server, checks));
            return checks.Any(c => c.Status == CheckStatus.Fail) ? 1 : 0;
        }));
        return cmd;
    }

    private static IPEndPoint ParseEndPoint(string s)
    {
        if (IPEndPoint.TryParse(s, out var ep) && (s.Contains(':') || s.Contains(']')) && ep.Port != 0) return ep;
        if (IPAddress.TryParse(s, out var ip)) return new IPEndPoint(ip, 53);
        throw new CliException($"--dns-server: \"{s}\" is not IP or IP:PORT");
    }

    internal static string Text(string server, IReadOnlyList<DoctorCheck> checks)
    {
        var w = new StringWriter();
        w.WriteLine($"occ doctor — {server}");
        foreach (var area in checks.GroupBy(c => c.Area))
        {
            w.WriteLine();
            w.WriteLine(area.Key.ToUpperInvariant());
            foreach (var c in area)
            {
                w.WriteLine($"  {Label(c.Status)}  {c.Subject}: {c.Detail}");
                if (c.Fix is not null) w.WriteLine($"        fix: {c.Fix}");
            }
        }
        w.WriteLine();
        w.WriteLine($"{checks.Count(c => c.Status == CheckStatus.Pass)} passed, {checks.Count(c => c.Status == CheckStatus.Warn)} warnings, {checks.Count(c => c.Status == CheckStatus.Fail)} failed");
        return w.ToString();
    }

    private static string Label(CheckStatus s) => s switch { CheckStatus.Pass => "PASS", CheckStatus.Warn => "WARN", _ => "FAIL" };

    private static string Json(IReadOnlyList<DoctorCheck> checks) => new JsonArray([.. checks.Select(c => (JsonNode)new JsonObject
    {
        ["area"] = c.Area,
        ["subject"] = c.Subject,
        ["status"] = c.Status.ToString().ToLowerInvariant(),
        ["detail"] = c.Detail,
        ["fix"] = c.Fix,
    })]).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
}
