using System.Net;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;
using OpenChoreo.Agent;
using OpenChoreo.Ingress;
using OpenChoreo.Pki;
using OpenChoreo.Runtime.Podman;

namespace OpenChoreo.Server;

/// <summary>
/// <c>openchoreo agent</c> for a DataPlane with the podman runtime: the runtime runs the delivered releases and the
/// ingress gateway serves their routes on 127.0.0.1. HTTPS needs a certificate for <c>*.apps.openchoreo.{D}</c> from
/// files (the agent has no CA key); without one the gateway serves HTTP only and says so.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class AgentDataPlane
{
    public sealed record Settings(string DataDir, string Domain, int AppsHttpPort, int AppsHttpsPort, string? CertFile, string? KeyFile, string? ContainersConf);

    public static async Task<int> RunAsync(Settings settings, AgentCredentials credentials, IReadOnlyList<Uri> gatewayUrls, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger("OpenChoreo.Server.AgentDataPlane");
        var options = new IngressOptions
        {
            Domain = settings.Domain,
            HttpEndpoint = new IPEndPoint(IPAddress.Loopback, settings.AppsHttpPort),
            HttpsEndpoint = settings.CertFile is null ? null : new IPEndPoint(IPAddress.Loopback, settings.AppsHttpsPort),
        };
        IngressCertificateStore? store = null;
        try
        {
            options.Validate();
            if (settings.CertFile is not null)
            {
                store = new IngressCertificateStore(loggers.CreateLogger<IngressCertificateStore>());
                store.Set("*." + options.AppsDomain, Pem.LoadCertificateWithKey(File.ReadAllText(settings.CertFile), File.ReadAllText(settings.KeyFile!)), isDefault: true);
            }
        }
        catch (Exception e) when (e is ArgumentException or IOException or System.Security.Cryptography.CryptographicException)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message);
            return 2;
        }

        var identity = credentials.Identity;
        await using var runtime = await PodmanReleaseRuntime.StartAsync(new PodmanRuntimeOptions
        {
            PlaneId = $"{identity.Organization}-{identity.PlaneName}",
            DataDirectory = Path.Combine(settings.DataDir, "podman"),
            ContainersConfPath = UpDataPlane.ContainersConf(settings.DataDir, settings.ContainersConf),
        }, loggers.CreateLogger<PodmanReleaseRuntime>(), ct: ct);
        await using var ingress = await IngressGateway.StartAsync(options, runtime, store, loggers, ct);
        if (store is null) LogHttpOnly(logger, options.AppsDomain);
        var agent = new PlaneAgent(new PlaneAgentOptions { GatewayUrls = gatewayUrls, AgentVersion = ServerCli.Version }, credentials, runtime, loggers);
        try
        {
            await agent.RunAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        return 0;
    }

    [LoggerMessage(EventId = 7051, Level = LogLevel.Warning, Message = "No --apps-cert for *.{AppsDomain}: the ingress gateway serves HTTP only")]
    private static partial void LogHttpOnly(ILogger logger, string appsDomain);
}
