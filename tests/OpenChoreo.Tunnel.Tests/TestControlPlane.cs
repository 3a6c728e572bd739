using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenChoreo.Agent;
using OpenChoreo.Gateway;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Store;
using OpenChoreo.Tunnel;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Tunnel.Tests;

/// <summary>Desired releases held in memory by the test (what the release controller will provide).</summary>
public sealed class TestDesiredReleases : IDesiredReleases
{
    public ConcurrentDictionary<string, List<ApplyReleaseRequest>> ByPlane { get; } = new();

    public Task<IReadOnlyList<ApplyReleaseRequest>?> GetAsync(PlaneIdentity plane, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<ApplyReleaseRequest>?>(ByPlane.TryGetValue(plane.ToString(), out var l) ? l.ToList() : []);
}

/// <summary>
/// A control plane for tests: the real SQLite store, the real gateway on its own mTLS listener (port 0) and an HTTPS
/// API listener carrying the enrollment routes. Everything binds to 127.0.0.1.
/// </summary>
public sealed class TestControlPlane : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(PlaneAgent Agent, CancellationTokenSource Stop, Task Run)> _agents = [];

    private TestControlPlane(WebApplication app, string dir, TestDesiredReleases desired)
    {
        _app = app;
        DataDir = dir;
        Desired = desired;
    }

    public string DataDir { get; }
    public TestDesiredReleases Desired { get; }
    public IServiceProvider Services => _app.Services;
    public IResourceStore Store => Services.GetRequiredService<IResourceStore>();
    public ClusterGateway Gateway => Services.GetRequiredService<ClusterGateway>();
    public PlatformCa Ca => Services.GetRequiredService<PlatformCa>();
    public PlaneCertificateValidator Validator => Services.GetRequiredService<PlaneCertificateValidator>();
    public Uri ConnectUrl => Services.GetRequiredService<ClusterGatewayServer>().ConnectUrl!;
    public Uri ApiUrl { get; private set; } = null!;
    public TimeSpan Heartbeat { get; private set; }

    public static async Task<TestControlPlane> StartAsync(TimeSpan? heartbeat = null, string? dataDir = null, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection, IConfiguration>? configure = null, string? postgres = null)
    {
        var dir = dataDir ?? Directory.CreateTempSubdirectory("oc-tunnel-").FullName;
        var hb = heartbeat ?? TimeSpan.FromSeconds(1);
        var desired = new TestDesiredReleases();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["dataDir"] = dir,
            ["clusterGateway:listen"] = "https://127.0.0.1:0",
            ["clusterGateway:heartbeatInterval"] = hb.ToString(),
            ["clusterGateway:maxFrameBytes"] = (256 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (Environment.GetEnvironmentVariable("OC_TEST_LOG") is { Length: > 0 } level)
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Logging.SetMinimumLevel(Enum.Parse<LogLevel>(level));
        }
        var ca = PlatformCa.LoadOrCreate(dir);
        builder.Services.AddSingleton(ca);
        builder.Services.AddSingleton<IDesiredReleases>(desired);
        if (postgres is not null) builder.Services.AddPostgresResourceStore(postgres);
        else builder.Services.AddSqliteResourceStore(Path.Combine(dir, "store.db"));
        builder.Services.AddClusterGateway(builder.Configuration);
        configure?.Invoke(builder.Services, builder.Configuration);
        var api = ca.Issuer.IssueServerCertificate(new LeafCertificateRequest { DnsNames = ["localhost"], IpAddresses = [IPAddress.Loopback], Lifetime = TimeSpan.FromDays(1) });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(o =>
        {
            o.ServerCertificate = api.Certificate;
            o.ServerCertificateChain = [ca.Issuer.Certificate]; // sent, so an enrolling agent can match its pinned fingerprint
        })));
        var app = builder.Build();
        app.Use(async (ctx, next) =>
        {
            try { await next(ctx); }
            catch (ApiException e)
            {
                ctx.Response.StatusCode = e.Code;
                await ctx.Response.WriteAsync(e.Message);
            }
        });
        app.MapClusterGatewayApi();
        await app.StartAsync();
        var cp = new TestControlPlane(app, dir, desired) { Heartbeat = hb };
        cp.ApiUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return cp;
    }

    public async Task<ResourceObject> CreatePlaneAsync(PlaneIdentity id, string? clientCaPem = null)
    {
        await EnsureOrganizationAsync(id.Organization);
        var spec = new JsonObject();
        if (clientCaPem is not null) spec["agent"] = new JsonObject { ["enabled"] = true, ["clientCA"] = new JsonObject { ["value"] = clientCaPem } };
        if (id.PlaneType == "observabilityplane") spec["observerURL"] = "http://127.0.0.1:9"; // required by the kind's schema
        var obj = new ResourceObject(new JsonObject
        {
            ["apiVersion"] = "openchoreo.dev/v1alpha1",
            ["kind"] = PlaneKinds.KindByType[id.PlaneType],
            ["metadata"] = new JsonObject { ["name"] = id.PlaneName, ["namespace"] = id.Organization },
            ["spec"] = spec,
        });
        var created = await Store.CreateAsync(obj);
        // The gateway admits planes from its watch-fed directory: wait until it saw this one, so a dial right after
        // creation is not refused as "no plane" on a loaded machine.
        var directory = Services.GetRequiredService<PlaneDirectory>();
        await OpenChoreo.Testing.Eventually.WaitUntilAsync(() => directory.Find(id)?.Uid == created.Uid, $"the gateway sees plane {id}", TimeSpan.FromSeconds(15));
        return created;
    }

    /// <summary>
    /// Planes live in an organization: without its Organization object the store's garbage collector (its sweep at
    /// start, racing the test) deletes everything in the namespace.
    /// </summary>
    public async Task EnsureOrganizationAsync(string name)
    {
        if (await Store.GetAsync(new ResourceKey("Organization", "", name)) is not null) return;
        try
        {
            await Store.CreateAsync(new ResourceObject(new JsonObject
            {
                ["apiVersion"] = "openchoreo.dev/v1alpha1",
                ["kind"] = "Organization",
                ["metadata"] = new JsonObject { ["name"] = name },
                ["spec"] = new JsonObject(),
            }));
        }
        catch (ApiException e) when (e.Reason == StatusReasons.AlreadyExists)
        {
            // Another replica on the same store made it.
        }
    }

    public Task<ResourceObject?> GetPlaneAsync(PlaneIdentity id) => Store.GetAsync(PlaneKinds.KeyOf(id));

    public async Task<string?> ConnectedConditionAsync(PlaneIdentity id)
    {
        var plane = await GetPlaneAsync(id);
        return plane?.Status?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c?["type"] == "Connected")?["status"]?.GetValue<string>();
    }

    /// <summary>Enrolls through the real API route (join token + CSR) into a fresh agent data directory.</summary>
    public async Task<AgentCredentials> EnrollAsync(PlaneIdentity id)
    {
        var token = await Services.GetRequiredService<JoinTokens>().CreateAsync(id, CancellationToken.None);
        var creds = new AgentCredentials(Directory.CreateTempSubdirectory("oc-agent-").FullName, id);
        await creds.EnrollAsync(ApiUrl, token.Token, Tunnel.Enrollment.CaFingerprint.Of(Ca.Issuer.Certificate));
        return creds;
    }

    /// <summary>Creates the plane, enrolls, and starts an agent (optionally dialing through <paramref name="via"/>).</summary>
    public async Task<(PlaneAgent Agent, InMemoryReleaseRuntime Runtime)> StartAgentAsync(PlaneIdentity id, Uri? via = null, bool createPlane = true,
        PlaneAgentOptions? options = null)
    {
        if (createPlane) await CreatePlaneAsync(id);
        var creds = await EnrollAsync(id);
        var runtime = new InMemoryReleaseRuntime();
        return (RunAgent(creds, runtime, via, options), runtime);
    }

    /// <summary>Starts an agent with existing credentials and runtime (e.g. the same plane coming back after a stop).</summary>
    public PlaneAgent RunAgent(AgentCredentials creds, IReleaseRuntime runtime, Uri? via = null, PlaneAgentOptions? options = null)
    {
        var agent = new PlaneAgent(options ?? new PlaneAgentOptions
        {
            GatewayUrl = via ?? ConnectUrl,
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(500),
            ConnectTimeout = TimeSpan.FromSeconds(2),
        }, creds, runtime, Services.GetRequiredService<ILoggerFactory>());
        var stop = new CancellationTokenSource();
        _agents.Add((agent, stop, Task.Run(() => agent.RunAsync(stop.Token))));
        return agent;
    }

    /// <summary>Stops an agent started here and waits until its loop ended (its connection is closed).</summary>
    public async Task StopAgentAsync(PlaneAgent agent)
    {
        var entry = _agents.Single(a => a.Agent == agent);
        await entry.Stop.CancelAsync();
        await entry.Run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Dials the gateway with an arbitrary client certificate (or none); returns the open socket or throws.</summary>
    public async Task<ClientWebSocket> DialAsync(X509Certificate2? clientCertificate, TrustBundle? trust = null, string query = "")
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        var url = ConnectUrl;
        var handler = new SocketsHttpHandler { SslOptions = TlsPolicies.MutualTlsClientOptions(url.IdnHost, clientCertificate, () => trust ?? Ca.TrustBundle) };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new Uri(url + query), new HttpMessageInvoker(handler), cts.Token);
        return socket;
    }

    /// <summary>Dials with <paramref name="certificate"/> and completes the Hello exchange; returns a running connection.</summary>
    public async Task<TunnelConnection> RawConnectAsync(X509Certificate2 certificate, TunnelHandlers? handlers = null)
    {
        var socket = await DialAsync(certificate);
        var options = new TunnelConnectionOptions { HeartbeatInterval = Heartbeat };
        handlers ??= new TunnelHandlers();
        var ack = await TunnelHandshake.ClientAsync(socket, new HelloMessage { AgentVersion = "raw", Capabilities = [.. handlers.Capabilities] }, options, CancellationToken.None);
        var connection = new TunnelConnection(socket, isAgent: true, handlers, ack.Capabilities, ack.StreamWindowBytes, options, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        _ = connection.RunAsync();
        return connection;
    }

    /// <summary>A client certificate for <paramref name="id"/> from the platform CA, bound to <paramref name="uid"/>.</summary>
    public X509Certificate2 SignFor(PlaneIdentity id, string uid)
    {
        var (key, csr) = SigningRequests.ForPlane(id);
        var issued = Services.GetRequiredService<AgentCertificates>().Sign(csr, id, uid);
        return Pem.LoadCertificateWithKey(issued.ChainPem, Pem.WritePrivateKey(key));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, stop, _) in _agents) stop.Cancel();
        foreach (var (_, _, run) in _agents) await run.WaitAsync(TimeSpan.FromSeconds(10));
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(DataDir, true); } catch (IOException) { }
    }
}
