using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
/// A whole control plane with controllers running (its own data directory and ports), agents enrolled through real
/// join tokens, and occ run in-process against it. Its server certificate names <c>dnsNames</c> besides the loopback.
/// </summary>
internal sealed class LiveInstallation : IAsyncDisposable
{
    internal static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly WebApplication _app;
    private readonly string _dir;
    private readonly List<(CancellationTokenSource Stop, Task Run)> _agents = [];

    /// <summary>The agents started by <see cref="ConnectAgentAsync"/>, for inspecting their state.</summary>
    public List<PlaneAgent> Agents { get; } = [];

    private LiveInstallation(WebApplication app, string dir)
    {
        _app = app;
        _dir = dir;
    }

    public string Port => new Uri(ClientConfig.Load(ConfigPath).Current!.Server).Port.ToString();

    public string ConfigPath => Path.Combine(_dir, AdminAccessBootstrapper.ConfigFileName);

    public string CaFile => Path.Combine(_dir, "doctor-ca.pem");

    public static async Task<LiveInstallation> StartAsync(string[] dnsNames)
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
        var installation = new LiveInstallation(app, dir);
        await File.WriteAllTextAsync(installation.CaFile, app.Services.GetRequiredService<PlatformCa>().Issuer.CertificatePem, Ct);
        return installation;
    }

    public IServiceProvider Services => _app.Services;

    public IResourceStore Store => _app.Services.GetRequiredService<IResourceStore>();

    public async Task CreateDataPlaneAsync(string org, string name, string domain = "localhost")
    {
        var store = _app.Services.GetRequiredService<IResourceStore>();
        await store.CreateAsync(new ResourceObject(new JsonObject
        {
            ["apiVersion"] = KindRegistry.GroupVersion,
            ["kind"] = "DataPlane",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = org },
            ["spec"] = new JsonObject { ["gateway"] = new JsonObject { ["publicVirtualHost"] = $"apps.openchoreo.{domain}", ["organizationVirtualHost"] = $"org.openchoreo.{domain}" } },
        }), Ct);
    }

    public async Task CreateObservabilityPlaneAsync(string org, string name)
    {
        await Store.CreateAsync(new ResourceObject(new JsonObject
        {
            ["apiVersion"] = KindRegistry.GroupVersion,
            ["kind"] = "ObservabilityPlane",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = org },
            ["spec"] = new JsonObject { ["observerURL"] = "http://127.0.0.1:9" },
        }), Ct);
    }

    /// <summary>Enrolls a real agent through a join token and waits until the plane reports Connected.</summary>
    public Task<InMemoryReleaseRuntime> ConnectAgentAsync(string org, string name, string domain = "localhost") =>
        ConnectAgentAsync(org, name, "dataplane", domain);

    /// <summary>As above for a plane of <paramref name="planeType"/> (dataplane or observabilityplane), which is created first.</summary>
    public async Task<InMemoryReleaseRuntime> ConnectAgentAsync(string org, string name, string planeType, string domain)
    {
        if (planeType == "observabilityplane") await CreateObservabilityPlaneAsync(org, name);
        else await CreateDataPlaneAsync(org, name, domain);
        var id = new PlaneIdentity(org, planeType, name);
        var token = await _app.Services.GetRequiredService<JoinTokens>().CreateAsync(id, Ct);
        var creds = new AgentCredentials(Directory.CreateTempSubdirectory("oc-agent-").FullName, id);
        var ca = _app.Services.GetRequiredService<PlatformCa>().Issuer.Certificate;
        await creds.EnrollAsync(new Uri(ClientConfig.Load(ConfigPath).Current!.Server), token.Token, Tunnel.Enrollment.CaFingerprint.Of(ca), ct: Ct);
        var runtime = new InMemoryReleaseRuntime(); // the test double at the runtime boundary; everything else is real
        var agent = new PlaneAgent(new PlaneAgentOptions { GatewayUrl = _app.Services.GetRequiredService<ClusterGatewayServer>().ConnectUrl! },
            creds, runtime, _app.Services.GetRequiredService<ILoggerFactory>());
        Agents.Add(agent);
        var stop = new CancellationTokenSource();
        _agents.Add((stop, Task.Run(() => agent.RunAsync(stop.Token))));
        var store = _app.Services.GetRequiredService<IResourceStore>();
        await Eventually.WaitUntilAsync(() =>
        {
            var plane = store.GetAsync(new ResourceKey(planeType == "observabilityplane" ? "ObservabilityPlane" : "DataPlane", org, name)).GetAwaiter().GetResult();
            return (plane?.Status?["conditions"] as JsonArray)?.OfType<JsonObject>().Any(c => (string?)c["type"] == "Connected" && (string?)c["status"] == "True") == true
                && plane?.Status?["agent"]?["runtime"] is not null;
        }, "the plane reports Connected with its runtime", TimeSpan.FromSeconds(20), Ct);
        return runtime;
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
