using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenChoreo.Agent;
using OpenChoreo.Client;
using OpenChoreo.Ingress;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Runtime.Podman;

namespace OpenChoreo.Server;

/// <summary>
/// The data plane of <c>up</c>: the DataPlane <c>default</c> of org <c>default</c>, an in-process agent with the podman
/// runtime enrolled through the real join-token flow (so it holds its own mTLS identity and reaches the control plane
/// only through the cluster gateway, as a remote agent would), and the ingress gateway serving the runtime's routes.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed partial class UpDataPlane : IAsyncDisposable
{
    public const string PlaneName = "default";
    public const string Organization = "default";
    private readonly CancellationTokenSource _stop = new();
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private PodmanReleaseRuntime? _runtime;
    private PlatformCaIngressCertificate? _certificate;
    private IngressGateway? _ingress;
    private Task _agent = Task.CompletedTask;

    public IngressGateway Ingress => _ingress!;

    /// <summary>Where the ingress's certificate for a host comes from.</summary>
    public AppsCertificateSelector Certificates { get; private set; } = null!;

    /// <summary>The value of the <c>openchoreo.dev/plane</c> label on every container this instance runs.</summary>
    public string RuntimePlane { get; private set; } = "";

    public static async Task<UpDataPlane> StartAsync(WebApplication app, string dir, UpSettings settings, ClientContext admin, CancellationToken ct)
    {
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggers.CreateLogger<UpDataPlane>();
        var plane = new UpDataPlane { _logger = logger };
        try
        {
            var ingressOptions = new IngressOptions
            {
                Domain = settings.Domain,
                HttpEndpoint = new IPEndPoint(IPAddress.Loopback, settings.AppsHttpPort),
                HttpsEndpoint = new IPEndPoint(IPAddress.Loopback, settings.AppsHttpsPort),
                // The apps' hosts answer HTTP-01 from the control plane's challenge store (same process).
                Http01Answer = app.Services.GetService<OpenChoreo.Acme.Http01ChallengeStore>() is { } challenges
                    ? token => challenges.TryGet(token, out var answer) ? answer : null
                    : null,
            };
            ingressOptions.Validate();
            var api = new Uri(admin.Server);
            await EnsureDataPlaneAsync(admin, ingressOptions.AppsDomain, ct);

            var identity = new PlaneIdentity(Organization, "dataplane", PlaneName);
            var credentials = new AgentCredentials(Path.Combine(dir, "agent"), identity);
            if (!credentials.IsEnrolled)
            {
                var (token, fingerprint) = await CreateJoinTokenAsync(admin, ct);
                await credentials.EnrollAsync(api, token, fingerprint, ct: ct);
                LogEnrolled(logger, Organization, PlaneName);
            }

            plane.RuntimePlane = RuntimePlaneId(dir);
            plane._runtime = await PodmanReleaseRuntime.StartAsync(new PodmanRuntimeOptions
            {
                PlaneId = plane.RuntimePlane,
                DataDirectory = Path.Combine(dir, "podman"),
                ContainersConfPath = ContainersConf(dir, settings.ContainersConf),
            }, loggers.CreateLogger<PodmanReleaseRuntime>(), ct: ct);

            var connect = app.Services.GetRequiredService<Gateway.ClusterGatewayServer>().ConnectUrl
                ?? throw new InvalidOperationException("the cluster gateway is not listening");
            var agent = new PlaneAgent(new PlaneAgentOptions
            {
                GatewayUrl = connect,
                AgentVersion = ServerCli.Version,
            }, credentials, plane._runtime, loggers);
            plane._agent = Task.Run(() => agent.RunAsync(plane._stop.Token), CancellationToken.None);

            var store = new IngressCertificateStore(loggers.CreateLogger<IngressCertificateStore>());
            plane._certificate = new PlatformCaIngressCertificate(app.Services.GetRequiredService<PlatformCa>(), store, ingressOptions.AppsDomain,
                logger: loggers.CreateLogger<PlatformCaIngressCertificate>());
            // A platform-namespace Certificate covering an apps name (openchoreo-apps with --tls acme and DNS-01) wins over
            // the platform-CA wildcard, hot-swapped on renewal through the control plane's certificate index.
            plane.Certificates = new AppsCertificateSelector(app.Services.GetRequiredService<SniCertificateSelector>().Index, store, ingressOptions.AppsDomain);
            plane._ingress = await IngressGateway.StartAsync(ingressOptions, plane._runtime, plane.Certificates, loggers, ct);
            await AnnotateHttpsPortAsync(admin, plane._ingress.HttpsEndpoint!.Port, ct);
            return plane;
        }
        catch
        {
            await plane.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates the DataPlane unless it exists (an existing one, possibly edited by the user, is left as is).</summary>
    private static async Task EnsureDataPlaneAsync(ClientContext admin, string appsDomain, CancellationToken ct)
    {
        using var client = new ApiClient(admin);
        var kind = KindRegistry.Default.FindByKind("DataPlane")!;
        if (await client.TryGetAsync(kind, Organization, PlaneName, ct) is not null) return;
        await client.CreateAsync(kind, new ResourceObject(new JsonObject
        {
            ["apiVersion"] = KindRegistry.GroupVersion,
            ["kind"] = "DataPlane",
            ["metadata"] = new JsonObject
            {
                ["name"] = PlaneName,
                ["namespace"] = Organization,
                ["annotations"] = new JsonObject { ["openchoreo.dev/display-name"] = "Default (this machine, podman)" },
            },
            ["spec"] = new JsonObject
            {
                ["agent"] = new JsonObject { ["enabled"] = true },
                ["gateway"] = new JsonObject { ["publicVirtualHost"] = appsDomain, ["organizationVirtualHost"] = "internal." + appsDomain },
            },
        }), ct);
    }

    /// <summary>Records the gateway's HTTPS port (it may change between starts) so status URLs carry it.</summary>
    private static async Task AnnotateHttpsPortAsync(ClientContext admin, int port, CancellationToken ct)
    {
        using var client = new ApiClient(admin);
        await client.MergePatchAsync(KindRegistry.Default.FindByKind("DataPlane")!, Organization, PlaneName, new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["annotations"] = new JsonObject { [Api.Tasks.DeliveryService.PublicHttpsPortAnnotation] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            },
        }, ct);
    }

    /// <summary>What <c>occ plane join-token dataplane default</c> does.</summary>
    private static async Task<(string Token, string Fingerprint)> CreateJoinTokenAsync(ClientContext admin, CancellationToken ct)
    {
        using var client = new ApiClient(admin);
        using var response = await client.Http.PostAsync(Gateway.GatewayEndpoints.JoinTokenPath(Organization, "dataplane", PlaneName).TrimStart('/'), null, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
        if (!response.IsSuccessStatusCode || body is null)
            throw new InvalidOperationException($"the control plane refused a join token for DataPlane {Organization}/{PlaneName} ({(int)response.StatusCode})");
        return ((string)body["token"]!, "sha256:" + (string)body["caFingerprint"]!);
    }

    /// <summary>The chosen containers.conf, or on a host without systemd (cgroupfs, runc) one written into <paramref name="dir"/>.</summary>
    internal static string? ContainersConf(string dir, string? chosenPath)
    {
        if (chosenPath is { Length: > 0 } chosen) return Path.GetFullPath(chosen);
        if (Directory.Exists("/run/systemd/system")) return null;
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "containers.conf");
        File.WriteAllText(path, """
            # Written by openchoreo for a host without systemd: cgroupfs, runc, no default ulimits, netavark networks
            # (a host left on CNI without its plugins cannot start containers on a cell network).
            [containers]
            default_ulimits = []
            [engine]
            runtime = "runc"
            cgroup_manager = "cgroupfs"
            [network]
            network_backend = "netavark"

            """);
        return path;
    }

    /// <summary>
    /// The runtime's plane label: the default instance keeps <c>up-default</c>; another data directory gets its own, so two
    /// instances on one podman never adopt or prune each other's containers.
    /// </summary>
    internal static string RuntimePlaneId(string dir) =>
        dir == UpCommand.DefaultDataDir
            ? "up-" + PlaneName
            : "up-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(dir)))[..10];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _agent; }
        catch (OperationCanceledException) { }
        // A stopped platform leaves nothing running (its ports would answer for a gone gateway); the Releases stay in the
        // control plane and the next start delivers them again. A killed process leaves them to be adopted instead.
        if (_runtime is not null)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                foreach (var held in await _runtime.ListAsync(deadline.Token))
                {
                    try { await _runtime.DeleteAsync(held.Name, deadline.Token); }
                    catch (Exception e) when (e is HttpRequestException or IOException or PodmanApiException) { LogStopCleanupFailed(_logger, held.Name, e.Message); }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException or PodmanApiException)
            {
                LogStopCleanupFailed(_logger, "*", e.Message);
            }
        }
        if (_ingress is not null) await _ingress.DisposeAsync();
        if (_certificate is not null) await _certificate.DisposeAsync();
        if (_runtime is not null) await _runtime.DisposeAsync();
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 7059, Level = LogLevel.Warning, Message = "Removing release {Release} from the data plane on stop failed: {Reason}")]
    private static partial void LogStopCleanupFailed(ILogger logger, string release, string reason);

    [LoggerMessage(EventId = 7050, Level = LogLevel.Information, Message = "Data-plane agent enrolled for DataPlane {Organization}/{Plane}")]
    private static partial void LogEnrolled(ILogger logger, string organization, string plane);
}
