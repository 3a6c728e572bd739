using System.CommandLine;
using Microsoft.Extensions.Logging;
using OpenChoreo.Agent;
using OpenChoreo.Pki;

namespace OpenChoreo.Server;

/// <summary>
/// <c>openchoreo agent</c>: enrolls on first start (join token + CA fingerprint), then keeps a mutual-TLS tunnel to
/// the cluster gateway. Later starts reuse the key and certificate in <c>--data-dir</c> (renewed over the tunnel).
/// </summary>
public static class AgentCommand
{
    public static Command Create()
    {
        var planeType = new Option<string>("--plane-type") { Description = "dataplane, buildplane or observabilityplane", Required = true };
        planeType.AcceptOnlyFromAmong([.. PlaneIdentity.PlaneTypes]);
        var planeName = new Option<string>("--plane-name") { Description = "The plane resource's name", Required = true };
        var ns = new Option<string>("--namespace", "-n") { Description = "Organization (namespace) of the plane", DefaultValueFactory = _ => "default" };
        var controlPlane = new Option<string[]>("--control-plane")
        {
            Description = "API URL of the control plane, e.g. https://127.0.0.1:8443; repeat it for several replicas (the first enrolls; each is a seed)",
            Required = true,
        };
        var gateway = new Option<string[]>("--gateway")
        {
            Description = "Cluster gateway URL, repeatable (default: wss://<control-plane host>:8444/agent/v1/connect for each --control-plane); further replicas are discovered",
        };
        var joinToken = new Option<string?>("--join-token") { Description = "One-time token from 'occ plane join-token' (first start only)" };
        var fingerprint = new Option<string?>("--ca-fingerprint") { Description = "SHA-256 fingerprint of the control plane's CA (first start only)" };
        var dataDir = new Option<string>("--data-dir") { Description = "Where the agent keeps its key, certificate and trust bundle", Required = true };
        var runtime = new Option<string>("--runtime") { Description = "podman (run releases as containers, serve their routes) or memory (hold releases only; tests)", DefaultValueFactory = _ => "podman" };
        runtime.AcceptOnlyFromAmong("podman", "memory");
        var appsHttp = new Option<int>("--apps-http-port") { Description = "Ingress gateway HTTP port on 127.0.0.1 (podman runtime)", DefaultValueFactory = _ => 8080 };
        var appsHttps = new Option<int>("--apps-https-port") { Description = "Ingress gateway HTTPS port on 127.0.0.1 (needs --apps-cert and --apps-key)", DefaultValueFactory = _ => 9443 };
        var appsCert = new Option<string?>("--apps-cert") { Description = "PEM certificate (chain) for *.apps.openchoreo.<domain>; without it the gateway serves HTTP only" };
        var appsKey = new Option<string?>("--apps-key") { Description = "PEM private key of --apps-cert" };
        var domain = new Option<string>("--domain") { Description = "Base domain D of the apps URLs (*.apps.openchoreo.D)", DefaultValueFactory = _ => "localhost" };
        var containersConf = new Option<string?>("--containers-conf") { Description = "containers.conf for the podman service (hosts without systemd: runc + cgroupfs)" };
        var cmd = new Command("agent", "Run a plane agent: dial the control plane's cluster gateway over mutual TLS")
        {
            planeType, planeName, ns, controlPlane, gateway, joinToken, fingerprint, dataDir, runtime, appsHttp, appsHttps, appsCert, appsKey, domain, containersConf,
        };
        cmd.SetAction(async (p, ct) =>
        {
            PlaneIdentity identity;
            try
            {
                identity = new PlaneIdentity(p.GetValue(ns)!, p.GetValue(planeType)!, p.GetValue(planeName)!);
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message);
                return 2;
            }
            var apis = new List<Uri>();
            foreach (var text in p.GetValue(controlPlane) ?? [])
            {
                if (!Uri.TryCreate(text, UriKind.Absolute, out var u) || u.Scheme != "https")
                {
                    await Console.Error.WriteLineAsync($"error: --control-plane \"{text}\" must be an https:// URL");
                    return 2;
                }
                apis.Add(u);
            }
            var api = apis[0];
            var gatewayUrls = new List<Uri>();
            foreach (var text in p.GetValue(gateway) ?? [])
            {
                if (!Uri.TryCreate(text, UriKind.Absolute, out var u) || u.Scheme != "wss")
                {
                    await Console.Error.WriteLineAsync($"error: --gateway \"{text}\" must be a wss:// URL");
                    return 2;
                }
                gatewayUrls.Add(u);
            }
            if (gatewayUrls.Count == 0) gatewayUrls.AddRange(apis.Select(a => new UriBuilder("wss", a.Host, 8444, Gateway.ClusterGateway.ConnectPath).Uri).Distinct());
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }));
            var credentials = new AgentCredentials(Path.GetFullPath(p.GetValue(dataDir)!), identity);
            if (!credentials.IsEnrolled)
            {
                if (p.GetValue(joinToken) is not { } token || p.GetValue(fingerprint) is not { } fp)
                {
                    await Console.Error.WriteLineAsync("error: not enrolled yet: --join-token and --ca-fingerprint are required on the first start");
                    return 2;
                }
                try
                {
                    await credentials.EnrollAsync(api, token, fp, ct: ct);
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException or HttpRequestException)
                {
                    await Console.Error.WriteLineAsync("error: " + e.Message);
                    return 1;
                }
            }
            if (p.GetValue(runtime) == "memory" || identity.PlaneType != "dataplane")
            {
                // Holds releases without running them (tests, and planes that run no releases).
                var held = new PlaneAgent(new PlaneAgentOptions { GatewayUrls = gatewayUrls, AgentVersion = ServerCli.Version }, credentials,
                    new LoggedReleaseRuntime(new InMemoryReleaseRuntime(), loggers.CreateLogger("OpenChoreo.Server.MemoryRuntime")), loggers);
                await held.RunAsync(ct);
                return 0;
            }
            if (!OperatingSystem.IsLinux())
            {
                await Console.Error.WriteLineAsync("error: the podman runtime needs Linux (use --runtime memory elsewhere)");
                return 2;
            }
            if ((p.GetValue(appsCert) is null) != (p.GetValue(appsKey) is null))
            {
                await Console.Error.WriteLineAsync("error: --apps-cert and --apps-key go together");
                return 2;
            }
            return await AgentDataPlane.RunAsync(new AgentDataPlane.Settings(
                Path.GetFullPath(p.GetValue(dataDir)!), p.GetValue(domain)!, p.GetValue(appsHttp), p.GetValue(appsHttps),
                p.GetValue(appsCert), p.GetValue(appsKey), p.GetValue(containersConf)), credentials, gatewayUrls, loggers, ct);
        });
        return cmd;
    }
}
