using System.CommandLine;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenChoreo.Api.Bootstrap;
using OpenChoreo.Client;

namespace OpenChoreo.Server;

/// <summary>
/// <c>openchoreo up</c>: every plane on this machine with embedded defaults (DESIGN §2). It keeps its settings in the
/// data directory (so a restart reuses the same port and identity), configures the CLI context for this instance, and
/// prints where everything is. The repository's <c>./openchoreo up</c> script builds and then runs this.
/// </summary>
public static class UpCommand
{
    public const string PidFile = "openchoreo.pid";
    public const string ReadyFile = "ready";

    public static string DefaultDataDir =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".openchoreo", "default");

    public static Command Create()
    {
        var dataDir = new Option<string?>("--data-dir") { Description = "Instance directory (default ~/.openchoreo/default); several instances need several directories" };
        var port = new Option<int?>("--port") { Description = "API port on 127.0.0.1 (default 8443, remembered per data directory; 0 picks a free one)" };
        var gatewayPort = new Option<int?>("--gateway-port") { Description = "Cluster gateway (agent mTLS) port on 127.0.0.1 (default 8444, or the API port + 1 when --port is given; 0 picks a free one)" };
        var context = new Option<string?>("--context-name") { Description = "Name of the CLI context for this instance (default: local, or the data directory's name)" };
        var config = new Option<string?>("--config", "-c") { Description = "Extra YAML configuration file" };
        var appsHttp = new Option<int?>("--apps-http-port") { Description = "Ingress gateway HTTP port for the apps on 127.0.0.1 (default 8080, remembered; 0 picks a free one)" };
        var appsHttps = new Option<int?>("--apps-https-port") { Description = "Ingress gateway HTTPS port for the apps on 127.0.0.1 (default 9443, remembered; 0 picks a free one)" };
        var noDataPlane = new Option<bool>("--no-data-plane") { Description = "Run only the control plane (no agent, podman runtime or ingress gateway)" };
        var cmd = new Command("up", "Run every plane on this machine (foreground)") { dataDir, port, gatewayPort, context, config, appsHttp, appsHttps, noDataPlane };
        cmd.SetAction(async (p, ct) =>
        {
            var dir = Path.GetFullPath(p.GetValue(dataDir) ?? DefaultDataDir);
            Directory.CreateDirectory(dir);
            var pidPath = Path.Combine(dir, PidFile);
            if (AlreadyRunning(pidPath) is { } pid)
            {
                await Console.Error.WriteLineAsync($"error: an instance is already running from {dir} (pid {pid}); stop it with ./openchoreo down --data-dir {dir}");
                return 2;
            }
            var settings = UpSettings.Load(dir);
            if (p.GetValue(port) is { } chosen)
            {
                settings.Port = chosen;
                settings.GatewayPort = chosen == 0 ? 0 : chosen + 1;
            }
            if (p.GetValue(gatewayPort) is { } chosenGateway) settings.GatewayPort = chosenGateway;
            if (p.GetValue(appsHttp) is { } chosenAppsHttp) settings.AppsHttpPort = chosenAppsHttp;
            if (p.GetValue(appsHttps) is { } chosenAppsHttps) settings.AppsHttpsPort = chosenAppsHttps;
            if (p.GetValue(noDataPlane)) settings.DataPlane = false;
            settings.ContextName = p.GetValue(context) ?? settings.ContextName ?? (dir == DefaultDataDir ? "local" : Path.GetFileName(dir));
            var overrides = new Dictionary<string, string?>
            {
                ["dataDir"] = dir,
                ["listen"] = $"https://127.0.0.1:{settings.Port}",
                ["clusterGateway:listen"] = $"https://127.0.0.1:{settings.GatewayPort}",
                ["contextName"] = settings.ContextName,
            };
            File.Delete(Path.Combine(dir, ReadyFile));
            await File.WriteAllTextAsync(pidPath, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
            try
            {
                return await ServerCli.RunHostAsync(p.GetValue(config), overrides, (app, token) => OnReadyAsync(app, dir, settings, token), ct);
            }
            finally
            {
                File.Delete(pidPath);
                File.Delete(Path.Combine(dir, ReadyFile));
            }
        });
        return cmd;
    }

    private static async Task OnReadyAsync(WebApplication app, string dir, UpSettings settings, CancellationToken ct)
    {
        var gate = app.Services.GetRequiredService<ReadinessGate>();
        while (!gate.IsReady) await Task.Delay(50, ct);
        var instance = ClientConfig.Load(AdminAccessBootstrapper.ConfigPath(dir)).Current;
        if (instance is null)
        {
            await Console.Error.WriteLineAsync($"warning: no CLI configuration in {AdminAccessBootstrapper.ConfigPath(dir)}; occ is not configured for this instance");
            return;
        }
        settings.Port = new Uri(instance.Server).Port;
        var dataPlane = await StartDataPlaneAsync(app, dir, settings, instance, ct);
        settings.Save(dir);
        var userConfigPath = ClientConfig.DefaultPath;
        var userConfig = ClientConfig.Load(userConfigPath);
        userConfig.Upsert(instance, makeCurrent: true);
        userConfig.Save(userConfigPath);
        var down = dir == DefaultDataDir ? "./openchoreo down" : $"./openchoreo down --data-dir {dir}";
        var banner = $"""

            OpenChoreo is up.
              API server   {instance.Server}
              Data dir     {dir}
              CLI          bin/occ   (context "{instance.Name}" in {userConfigPath}, now current)
            {dataPlane}
            Try:
              bin/occ get organizations
              bin/occ get componenttypes
              bin/occ apply -f samples/greeter/greeter.yaml   (see samples/README.md)
              bin/occ get components -A

            Stop with Ctrl+C, or '{down}' when started with --detach.

            """;
        await File.WriteAllTextAsync(Path.Combine(dir, ReadyFile), banner, ct);
        Console.Out.Write(banner);
        await Console.Out.FlushAsync(ct);
    }

    /// <summary>Starts the data plane and returns the banner lines about it; a failure leaves the control plane up and says why.</summary>
    private static async Task<string> StartDataPlaneAsync(WebApplication app, string dir, UpSettings settings, ClientContext instance, CancellationToken ct)
    {
        if (!settings.DataPlane) return "  Data plane   not started (--no-data-plane)\n";
        if (!OperatingSystem.IsLinux()) return "  Data plane   not started: the podman runtime needs Linux\n";
        UpDataPlane plane;
        try
        {
            settings.AppsHttpPort = FreeOrAny(settings.AppsHttpPort);
            settings.AppsHttpsPort = FreeOrAny(settings.AppsHttpsPort);
            plane = await UpDataPlane.StartAsync(app, dir, settings, instance, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"warning: the data plane did not start: {e.Message}");
            return $"  Data plane   NOT running: {e.Message}\n";
        }
        // Stopped before the API server, so the agent says goodbye over a live tunnel.
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            if (OperatingSystem.IsLinux()) plane.DisposeAsync().AsTask().GetAwaiter().GetResult();
        });
        settings.AppsHttpPort = plane.Ingress.HttpEndpoint!.Port;
        settings.AppsHttpsPort = plane.Ingress.HttpsEndpoint!.Port;
        var apps = plane.Ingress.Options.AppsDomain;
        var ca = Path.Combine(dir, OpenChoreo.Pki.PlatformCa.DirectoryName, OpenChoreo.Pki.PlatformCa.TrustBundleName + ".crt.pem");
        return $"""
              Data plane   DataPlane default/{UpDataPlane.PlaneName} (podman runtime, agent enrolled over the cluster gateway)
              Containers   podman ps --filter label=openchoreo.dev/plane={plane.RuntimePlane}
              Apps         https://<component>-<environment>.{apps}:{settings.AppsHttpsPort}/   (web applications)
                           https://<environment>.{apps}:{settings.AppsHttpsPort}/<component>/   (services)
                           plain HTTP on port {settings.AppsHttpPort}
              Trust the CA {ca}
                           curl --cacert {ca} https://...   or, system-wide on Debian:
                           sudo cp {ca} /usr/local/share/ca-certificates/openchoreo-local.crt && sudo update-ca-certificates

            """;
    }

    /// <summary>The remembered port when it is free, otherwise 0 (any free port; the one taken is remembered).</summary>
    private static int FreeOrAny(int port)
    {
        if (port == 0) return 0;
        try
        {
            using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            probe.Start();
            return port;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return 0;
        }
    }

    private static int? AlreadyRunning(string pidPath)
    {
        if (!File.Exists(pidPath) || !int.TryParse(File.ReadAllText(pidPath).Trim(), out var pid)) return null;
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited || pid == Environment.ProcessId ? null : pid;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
