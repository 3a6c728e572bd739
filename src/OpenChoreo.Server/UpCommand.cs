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
        var domain = new Option<string?>("--domain") { Description = "Base domain D: the control plane serves openchoreo.D, api.openchoreo.D and thunder.openchoreo.D; apps are *.apps.openchoreo.D (remembered)" };
        var tls = new Option<string?>("--tls") { Description = "ca (default: platform-CA certificates) or acme (certificates from an ACME server; needs --domain and --acme-server)" };
        var acmeServer = new Option<string?>("--acme-server") { Description = "ACME directory URL (https) for --tls acme" };
        var acmeEmail = new Option<string?>("--acme-email") { Description = "Contact e-mail for the ACME account" };
        var acmeCaFile = new Option<string?>("--acme-ca-file") { Description = "PEM of the CA that signs the ACME server's own TLS certificate (a private or test ACME server)" };
        var http01Port = new Option<int?>("--http01-port") { Description = "Port of the plain-HTTP listener that answers HTTP-01 challenges and redirects to https (default 80)" };
        var http01Address = new Option<string?>("--http01-address") { Description = "Address of that listener (default 0.0.0.0: the ACME server must reach it)" };
        var dns01 = new Option<string?>("--dns01-rfc2136") { Description = "DNS server (server:port) taking RFC 2136 updates, for the *.apps wildcard through DNS-01" };
        var tsigKeyFile = new Option<string?>("--tsig-key-file") { Description = "TSIG key for --dns01-rfc2136, as written by tsig-keygen -a hmac-sha256" };
        var cmd = new Command("up", "Run every plane on this machine (foreground)")
        {
            dataDir, port, gatewayPort, context, config, appsHttp, appsHttps, noDataPlane,
            domain, tls, acmeServer, acmeEmail, acmeCaFile, http01Port, http01Address, dns01, tsigKeyFile,
        };
        cmd.SetAction(async (p, ct) =>
        {
            var dir = Path.GetFullPath(p.GetValue(dataDir) ?? DefaultDataDir);
            // TLS flags are checked before anything is written; a refusal leaves the data directory as it was.
            var remembered = Directory.Exists(dir) ? UpSettings.Load(dir) : new UpSettings();
            var anyTlsFlag = p.GetValue(tls) is not null || p.GetValue(acmeServer) is not null || p.GetValue(acmeEmail) is not null
                || p.GetValue(acmeCaFile) is not null || p.GetValue(http01Port) is not null || p.GetValue(http01Address) is not null
                || p.GetValue(dns01) is not null || p.GetValue(tsigKeyFile) is not null;
            var tlsFlags = !anyTlsFlag ? remembered.Tls : new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["tls"] = p.GetValue(tls) ?? "", ["acmeServer"] = p.GetValue(acmeServer) ?? "", ["acmeEmail"] = p.GetValue(acmeEmail) ?? "",
                ["acmeCaFile"] = p.GetValue(acmeCaFile) is { } caFile ? Path.GetFullPath(caFile) : "",
                ["http01Port"] = p.GetValue(http01Port)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
                ["http01Address"] = p.GetValue(http01Address) ?? "", ["dns01Rfc2136"] = p.GetValue(dns01) ?? "",
                ["tsigKeyFile"] = p.GetValue(tsigKeyFile) is { } keyFile ? Path.GetFullPath(keyFile) : "",
            };
            string? Flag(string k) => tlsFlags.TryGetValue(k, out var v) && v.Length > 0 ? v : null;
            var chosenDomain = p.GetValue(domain) ?? (remembered.Domain == "localhost" ? null : remembered.Domain);
            var upTls = UpTls.Parse(chosenDomain, Flag("tls"), Flag("acmeServer"), Flag("acmeEmail"), Flag("acmeCaFile"),
                Flag("http01Port") is { } h01 ? int.Parse(h01, System.Globalization.CultureInfo.InvariantCulture) : null,
                Flag("http01Address"), Flag("dns01Rfc2136"), Flag("tsigKeyFile"), out var tlsError);
            if (upTls is null)
            {
                await p.InvocationConfiguration.Error.WriteLineAsync("error: " + tlsError);
                return 2;
            }
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
            if (upTls.Domain is not null) settings.Domain = upTls.Domain;
            settings.Tls = tlsFlags;
            settings.ContextName = p.GetValue(context) ?? settings.ContextName ?? (dir == DefaultDataDir ? "local" : Path.GetFileName(dir));
            var overrides = new Dictionary<string, string?>
            {
                ["dataDir"] = dir,
                ["listen"] = $"https://127.0.0.1:{settings.Port}",
                ["clusterGateway:listen"] = $"https://127.0.0.1:{settings.GatewayPort}",
                ["contextName"] = settings.ContextName,
            };
            upTls.AddOverrides(overrides);
            File.Delete(Path.Combine(dir, ReadyFile));
            await File.WriteAllTextAsync(pidPath, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
            try
            {
                return await ServerCli.RunHostAsync(p.GetValue(config), overrides, (app, token) => OnReadyAsync(app, dir, settings, upTls, token), ct);
            }
            finally
            {
                File.Delete(pidPath);
                File.Delete(Path.Combine(dir, ReadyFile));
            }
        });
        return cmd;
    }

    private static async Task OnReadyAsync(WebApplication app, string dir, UpSettings settings, UpTls tls, CancellationToken ct)
    {
        var gate = app.Services.GetRequiredService<ReadinessGate>();
        while (!gate.IsReady) await Task.Delay(50, ct);
        var store = app.Services.GetRequiredService<OpenChoreo.Store.IResourceStore>();
        await tls.ApplyAsync(store, ct);
        var instance = ClientConfig.Load(AdminAccessBootstrapper.ConfigPath(dir)).Current;
        if (instance is null)
        {
            await Console.Error.WriteLineAsync($"warning: no CLI configuration in {AdminAccessBootstrapper.ConfigPath(dir)}; occ is not configured for this instance");
            return;
        }
        settings.Port = new Uri(instance.Server).Port;
        // Remember the port taken (with --gateway-port 0 too): agents enrolled elsewhere dial it again after a restart.
        if (app.Services.GetRequiredService<Gateway.ClusterGatewayServer>().ConnectUrl is { } gatewayUrl) settings.GatewayPort = gatewayUrl.Port;
        var dataPlane = await StartDataPlaneAsync(app, dir, settings, instance, ct);
        settings.Save(dir);
        // The banner says where each host's certificate comes from; give a first issuance a moment to finish.
        await tls.WaitSettledAsync(store, TimeSpan.FromSeconds(60), TimeProvider.System, ct);
        var sni = app.Services.GetRequiredService<SniCertificateSelector>();
        await tls.WaitServedAsync(store, sni, TimeSpan.FromSeconds(5), TimeProvider.System, ct);
        var tlsLines = await tls.DescribeAsync(store, sni, ct);
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
            {tlsLines}{dataPlane}
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
