using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenChoreo.Acme.Tests.Fixtures;
using OpenChoreo.Agent;
using OpenChoreo.Api.Bootstrap;
using OpenChoreo.Cli;
using OpenChoreo.Client;
using OpenChoreo.Gateway;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Server;
using OpenChoreo.Store;
using OpenChoreo.Testing;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>
/// <c>occ doctor</c> against real installations: a control plane with a connected agent, DNS served by a real bind9 for
/// example.test, and TLS checked on the real listener — once healthy, once broken in the ways the checklist names.
/// </summary>
public sealed class DoctorTests
{
    private const string Domain = BindServer.Zone; // example.test
    private static readonly string[] ControlHosts = [$"openchoreo.{Domain}", $"api.openchoreo.{Domain}", $"thunder.openchoreo.{Domain}"];
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_healthy_installation_passes_every_check()
    {
        using var dns = await BindServer.StartAsync([.. ControlHosts, $"*.apps.openchoreo.{Domain}"]);
        await using var cp = await Installation.StartAsync([.. ControlHosts, $"*.apps.openchoreo.{Domain}"]);
        await cp.ConnectAgentAsync("default", "default");

        var (code, output, err) = await cp.OccAsync("doctor", "--domain", Domain, "--dns-server", dns.EndPoint.ToString(),
            "--https-port", cp.Port, "--apps-https-port", cp.Port, "--trust", cp.CaFile);
        TestContext.Current.TestOutputHelper?.WriteLine(output);

        err.ShouldBeEmpty();
        output.ShouldNotContain("  FAIL  ", Case.Sensitive);
        output.ShouldNotContain("  WARN  ", Case.Sensitive);
        output.ShouldContain("passed, 0 warnings, 0 failed");
        output.ShouldContain("PASS  DataPlane default/default: connected (1 connection(s))");
        foreach (var host in ControlHosts) output.ShouldContain($"PASS  {host}: trusted, covers the name, valid until");
        output.ShouldContain($"PASS  doctor-probe.apps.openchoreo.{Domain}: apps wildcard *.apps.openchoreo.{Domain}: 127.0.0.1");
        code.ShouldBe(0);
    }

    [Fact]
    public async Task A_broken_installation_fails_each_broken_item_with_its_fix()
    {
        // thunder has no record, the certificate does not name api.openchoreo, and the data plane's agent never connected.
        using var dns = await BindServer.StartAsync([$"openchoreo.{Domain}", $"api.openchoreo.{Domain}"]);
        await using var cp = await Installation.StartAsync([$"openchoreo.{Domain}"]);
        await cp.CreateDataPlaneAsync("default", "default");

        var (code, output, _) = await cp.OccAsync("doctor", "--domain", Domain, "--dns-server", dns.EndPoint.ToString(),
            "--https-port", cp.Port, "--trust", cp.CaFile);
        TestContext.Current.TestOutputHelper?.WriteLine(output);

        code.ShouldBe(1);
        output.ShouldContain("FAIL  DataPlane default/default: no agent has ever connected\n        fix: enroll an agent: occ plane join-token dataplane default -n default");
        output.ShouldContain($"FAIL  thunder.openchoreo.{Domain}: does not resolve (identity server)\n        fix: create an A record (or a CNAME on EKS) for thunder.openchoreo.{Domain}");
        output.ShouldContain($"FAIL  api.openchoreo.{Domain}: the certificate (CN=openchoreo-control-plane) does not cover api.openchoreo.{Domain}");
        output.ShouldContain($"PASS  openchoreo.{Domain}: trusted, covers the name");
        output.ShouldContain($"FAIL  doctor-probe.apps.openchoreo.{Domain}: does not resolve (apps wildcard *.apps.openchoreo.{Domain})");
    }

    [Fact]
    public async Task An_unreachable_control_plane_is_one_failure_with_the_fix()
    {
        var dir = Directory.CreateTempSubdirectory("occ-doctor-").FullName;
        var config = new ClientConfig { CurrentContext = "gone" };
        config.Upsert(new ClientContext { Name = "gone", Server = $"https://127.0.0.1:{LoopbackPorts.Free()}", Token = "x" }, makeCurrent: true);
        config.Save(Path.Combine(dir, "config"));
        using var stdout = new StringWriter();
        var code = await CliApp.RunAsync(["--config", Path.Combine(dir, "config"), "doctor"], stdout, new StringWriter(), new StringReader(""));

        code.ShouldBe(1);
        stdout.ToString().ShouldContain("FAIL  https://127.0.0.1:");
        stdout.ToString().ShouldContain("fix: start it ('./openchoreo up' or 'openchoreo control-plane')");
        stdout.ToString().ShouldContain("0 passed, 0 warnings, 1 failed");
    }

    /// <summary>A control plane whose server certificate names the given hosts, plus what doctor needs to reach it.</summary>
    private sealed class Installation : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly string _dir;
        private readonly List<(CancellationTokenSource Stop, Task Run)> _agents = [];

        private Installation(WebApplication app, string dir)
        {
            _app = app;
            _dir = dir;
        }

        public string Port => new Uri(ClientConfig.Load(ConfigPath).Current!.Server).Port.ToString();

        public string ConfigPath => Path.Combine(_dir, AdminAccessBootstrapper.ConfigFileName);

        public string CaFile => Path.Combine(_dir, "doctor-ca.pem");

        public static async Task<Installation> StartAsync(string[] dnsNames)
        {
            var dir = Directory.CreateTempSubdirectory("occ-doctor-").FullName;
            var overrides = new Dictionary<string, string?>
            {
                ["dataDir"] = dir,
                ["listen"] = "https://127.0.0.1:0",
                ["clusterGateway:listen"] = "https://127.0.0.1:0",
            };
            for (var i = 0; i < dnsNames.Length; i++) overrides[$"tls:dnsNames:{i}"] = dnsNames[i];
            var app = ControlPlaneHost.Build(null, overrides, l => l.SetMinimumLevel(LogLevel.Warning));
            await app.StartAsync(Ct);
            var gate = app.Services.GetRequiredService<ReadinessGate>();
            await Eventually.WaitUntilAsync(() => gate.IsReady, "the control plane is ready", TimeSpan.FromSeconds(60), Ct);
            var installation = new Installation(app, dir);
            await File.WriteAllTextAsync(installation.CaFile, app.Services.GetRequiredService<PlatformCa>().Issuer.CertificatePem, Ct);
            return installation;
        }

        public async Task CreateDataPlaneAsync(string org, string name)
        {
            var store = _app.Services.GetRequiredService<IResourceStore>();
            await store.CreateAsync(new ResourceObject(new JsonObject
            {
                ["apiVersion"] = KindRegistry.GroupVersion,
                ["kind"] = "DataPlane",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = org },
                ["spec"] = new JsonObject { ["gateway"] = new JsonObject { ["publicVirtualHost"] = $"apps.openchoreo.{Domain}", ["organizationVirtualHost"] = $"org.openchoreo.{Domain}" } },
            }), Ct);
        }

        /// <summary>Enrolls a real agent through a join token and waits until the plane reports Connected.</summary>
        public async Task ConnectAgentAsync(string org, string name)
        {
            await CreateDataPlaneAsync(org, name);
            var id = new PlaneIdentity(org, "dataplane", name);
            var token = await _app.Services.GetRequiredService<JoinTokens>().CreateAsync(id, Ct);
            var creds = new AgentCredentials(Directory.CreateTempSubdirectory("oc-agent-").FullName, id);
            var ca = _app.Services.GetRequiredService<PlatformCa>().Issuer.Certificate;
            await creds.EnrollAsync(new Uri(ClientConfig.Load(ConfigPath).Current!.Server), token.Token, Tunnel.Enrollment.CaFingerprint.Of(ca), ct: Ct);
            var agent = new PlaneAgent(new PlaneAgentOptions { GatewayUrl = _app.Services.GetRequiredService<ClusterGatewayServer>().ConnectUrl! },
                creds, new InMemoryReleaseRuntime(), _app.Services.GetRequiredService<ILoggerFactory>());
            var stop = new CancellationTokenSource();
            _agents.Add((stop, Task.Run(() => agent.RunAsync(stop.Token))));
            var store = _app.Services.GetRequiredService<IResourceStore>();
            await Eventually.WaitUntilAsync(() =>
            {
                var plane = store.GetAsync(new ResourceKey("DataPlane", org, name)).GetAwaiter().GetResult();
                return (plane?.Status?["conditions"] as JsonArray)?.OfType<JsonObject>().Any(c => (string?)c["type"] == "Connected" && (string?)c["status"] == "True") == true
                    && plane?.Status?["agent"]?["runtime"] is not null;
            }, "the plane reports Connected with its runtime", TimeSpan.FromSeconds(20), Ct);
        }

        public async Task<(int Code, string Out, string Err)> OccAsync(params string[] args)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var code = await CliApp.RunAsync(["--config", ConfigPath, .. args], stdout, stderr, new StringReader(""));
            return (code, stdout.ToString(), stderr.ToString());
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var (stop, run) in _agents)
            {
                await stop.CancelAsync();
                try
                {
                    await run;
                }
                catch (OperationCanceledException)
                {
                }
                stop.Dispose();
            }
            await _app.StopAsync();
            await _app.DisposeAsync();
            Directory.Delete(_dir, recursive: true);
        }
    }
}
