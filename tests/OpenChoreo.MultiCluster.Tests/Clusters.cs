using System.Net;
using System.Text.Json.Nodes;
using OpenChoreo.Cli;
using OpenChoreo.Client;
using OpenChoreo.Model;
using OpenChoreo.Testing;

namespace OpenChoreo.MultiCluster.Tests;

/// <summary>
/// Three "clusters" on this machine, each a network namespace this test makes: <c>cp</c> runs the control plane (a
/// real <c>openchoreo control-plane</c> process, SQLite, controllers on) and a bridge that stands for the network
/// between clusters; <c>east</c> and <c>west</c> each hold one data-plane agent (<c>openchoreo agent</c>), joined to
/// the bridge by a veth pair. Agents find the control plane by name (<c>api.openchoreo.multicluster.test</c>, from
/// the namespace's own hosts file) and dial out; nothing listens on their side. The test reaches the API through a
/// loopback forwarder into <c>cp</c>. Names carry this process's id; everything is removed on dispose, and leftovers
/// of a crashed run are removed at start. See docs/multi-cluster.md.
/// </summary>
internal sealed class Clusters : IAsyncDisposable
{
    public const string Prefix = "ocmc-";
    public const string Domain = "multicluster.test";
    public const string ApiHost = "api.openchoreo." + Domain;
    public const int ApiPort = 8443;
    public const int GatewayPort = 8444;

    /// <summary>Short so that "Disconnected within two heartbeat intervals" is quick to check.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);

    /// <summary>The bridge in <c>cp</c>; the planes' addresses exist only inside these namespaces.</summary>
    public static readonly IPAddress ControlPlaneAddress = IPAddress.Parse("10.77.0.1");

    private static readonly Dictionary<string, string> PlaneAddresses = new() { ["east"] = "10.77.0.2", ["west"] = "10.77.0.3" };

    private readonly List<NetworkNamespace> _namespaces = [];
    private readonly List<PlaneProcess> _processes = [];
    private NamespaceForwarder? _api;

    private Clusters(string dir) => Dir = dir;

    public string Dir { get; }

    public NetworkNamespace ControlPlaneNs => _namespaces[0];

    public Dictionary<string, NetworkNamespace> PlaneNs { get; } = new(StringComparer.Ordinal);

    public PlaneProcess ControlPlane { get; private set; } = null!;

    public Dictionary<string, PlaneProcess> Agents { get; } = new(StringComparer.Ordinal);

    /// <summary>occ's configuration: the admin context of the control plane, pointed at the loopback forwarder.</summary>
    public string ConfigPath => Path.Combine(Dir, "occ-config");

    public ClientContext Context { get; private set; } = null!;

    public static async Task<Clusters> StartAsync(CancellationToken ct)
    {
        NetworkNamespace.RemoveLeftovers(Prefix);
        RemoveLeftoverDirectories();
        var run = $"{Prefix}{Environment.ProcessId}-";
        var clusters = new Clusters(Directory.CreateTempSubdirectory($"{DirPrefix}{Environment.ProcessId}-").FullName);
        try
        {
            var cp = NetworkNamespace.Create(run + "cp");
            clusters._namespaces.Add(cp);
            cp.IpIn("link", "add", "br0", "type", "bridge");
            cp.IpIn("addr", "add", ControlPlaneAddress + "/24", "dev", "br0");
            cp.IpIn("link", "set", "br0", "up");
            foreach (var (plane, address) in PlaneAddresses)
            {
                var ns = NetworkNamespace.Create(run + plane);
                clusters._namespaces.Add(ns);
                clusters.PlaneNs[plane] = ns;
                // The pair is made inside cp (no interface ever appears in the test's own namespace).
                cp.IpIn("link", "add", plane, "type", "veth", "peer", "name", "eth0", "netns", ns.Name);
                cp.IpIn("link", "set", plane, "master", "br0");
                cp.IpIn("link", "set", plane, "up");
                ns.IpIn("addr", "add", address + "/24", "dev", "eth0");
                ns.IpIn("link", "set", "eth0", "up");
                ns.SetHosts([(ControlPlaneAddress.ToString(), ApiHost)]);
            }
            await clusters.StartControlPlaneAsync(ct);
            return clusters;
        }
        catch
        {
            await clusters.DisposeAsync();
            throw;
        }
    }

    private const string DirPrefix = "oc-multicluster-";

    /// <summary>Data directories of crashed runs (their process is gone).</summary>
    private static void RemoveLeftoverDirectories()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), DirPrefix + "*"))
        {
            var pid = Path.GetFileName(dir)[DirPrefix.Length..].Split('-')[0];
            if (!int.TryParse(pid, out var id) || Directory.Exists($"/proc/{id}")) continue;
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task StartControlPlaneAsync(CancellationToken ct)
    {
        var dataDir = Path.Combine(Dir, "control-plane");
        ControlPlane = Track(PlaneProcess.Start("control-plane", ControlPlaneNs,
            ["control-plane", "--data-dir", dataDir, "--listen", $"https://{ControlPlaneAddress}:{ApiPort}"],
            new Dictionary<string, string>
            {
                ["OPENCHOREO_CLUSTERGATEWAY__LISTEN"] = $"https://{ControlPlaneAddress}:{GatewayPort}",
                ["OPENCHOREO_CLUSTERGATEWAY__HEARTBEATINTERVAL"] = HeartbeatInterval.ToString(),
                ["OPENCHOREO_CLUSTERGATEWAY__DNSNAMES__0"] = ApiHost,
                ["OPENCHOREO_TLS__DNSNAMES__0"] = ApiHost,
            }));
        await ControlPlane.WaitForLineAsync(l => l.Contains("Cluster gateway listening on", StringComparison.Ordinal), "the cluster gateway listens", TimeSpan.FromSeconds(60), ct);
        _api = NamespaceForwarder.Start(ControlPlaneNs, new IPEndPoint(ControlPlaneAddress, ApiPort));

        // The control plane wrote an admin context for its own address; the test reaches it through the forwarder
        // (its certificate names 127.0.0.1 too, so TLS is verified as usual).
        ClientContext? admin = null;
        await Eventually.WaitUntilAsync(() =>
        {
            try
            {
                admin = ClientConfig.Load(Path.Combine(dataDir, "occ-config")).Current;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                admin = null; // still being written
            }
            return admin?.Token is not null;
        }, "the control plane wrote its admin occ configuration", TimeSpan.FromSeconds(30), ct);
        Context = new ClientContext { Name = "multicluster", Server = $"https://127.0.0.1:{_api.EndPoint.Port}", CertificateAuthority = admin!.CertificateAuthority, Token = admin.Token };
        var config = new ClientConfig();
        config.Upsert(Context, makeCurrent: true);
        config.Save(ConfigPath);

        using var client = Client();
        await Eventually.WaitUntilAsync(async () =>
        {
            try
            {
                using var r = await client.Http.GetAsync("/readyz", ct);
                return r.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the control plane is ready", TimeSpan.FromSeconds(60), ct, TimeSpan.FromMilliseconds(100));
    }

    public ApiClient Client() => new(Context, TimeSpan.FromSeconds(20));

    public async Task<(int Code, string Out, string Err)> OccAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["--config", ConfigPath, .. args], stdout, stderr, new StringReader(""));
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// Enrols the agent of DataPlane <paramref name="plane"/> the way an operator would: <c>occ plane join-token</c>
    /// here, then <c>openchoreo agent … --join-token … --ca-fingerprint …</c> started inside the plane's namespace.
    /// </summary>
    public async Task<PlaneProcess> StartAgentAsync(string plane, CancellationToken ct)
    {
        var (code, output, err) = await OccAsync("plane", "join-token", "dataplane", plane);
        if (code != 0) throw new InvalidOperationException($"occ plane join-token failed ({code}): {err}");
        string Field(string name) => output.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim();
        var agent = Track(PlaneProcess.Start("agent-" + plane, PlaneNs[plane],
        [
            "agent", "--plane-type", "dataplane", "--plane-name", plane, "--namespace", "default",
            "--control-plane", $"https://{ApiHost}:{ApiPort}",
            "--join-token", Field("token"), "--ca-fingerprint", Field("ca-fingerprint"),
            "--data-dir", Path.Combine(Dir, "agent-" + plane),
            // The runtime boundary's named test double: the agent holds releases and reports them healthy (see docs).
            "--runtime", "memory",
        ]));
        Agents[plane] = agent;
        await agent.WaitForLineAsync(l => l.Contains("Connected to the cluster gateway", StringComparison.Ordinal), $"the {plane} agent connects", TimeSpan.FromSeconds(60), ct);
        return agent;
    }

    public async Task<JsonObject?> ConditionAsync(string kind, string name, string type, CancellationToken ct)
    {
        using var client = Client();
        var obj = await client.TryGetAsync(KindRegistry.Default.FindByKind(kind)!, "default", name, ct);
        return (obj?.Status?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);
    }

    public async Task<ResourceObject?> TryGetAsync(string kind, string name, CancellationToken ct)
    {
        using var client = Client();
        return await client.TryGetAsync(KindRegistry.Default.FindByKind(kind)!, "default", name, ct);
    }

    public async Task<ResourceObject> GetAsync(string kind, string name, CancellationToken ct)
    {
        using var client = Client();
        return await client.GetAsync(KindRegistry.Default.FindByKind(kind)!, "default", name, ct);
    }

    /// <summary>What of the test's making is still running, for failure messages.</summary>
    public string Logs() => string.Join('\n', _processes.Select(p => $"--- {p.Name}\n{p.Tail(25)}"));

    private PlaneProcess Track(PlaneProcess p)
    {
        _processes.Add(p);
        return p;
    }

    public async ValueTask DisposeAsync()
    {
        if (_api is not null) await _api.DisposeAsync();
        foreach (var p in Enumerable.Reverse(_processes)) p.Dispose();
        foreach (var ns in Enumerable.Reverse(_namespaces)) ns.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
