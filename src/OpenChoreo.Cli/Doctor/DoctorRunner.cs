using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json.Nodes;
using OpenChoreo.Client;
using OpenChoreo.Model;

namespace OpenChoreo.Cli.Doctor;

/// <summary>
/// The checks of <c>occ doctor</c>, in the order of the deployment checklist: the control plane answers and its
/// certificate holds; every plane's agent is connected and its runtime is supported; certificates and ACME issuers are
/// healthy; and, with a domain, every host resolves and serves a trusted certificate that covers it.
/// </summary>
public sealed class DoctorRunner(ApiClient api, DoctorOptions options, TimeProvider time)
{
    public const string MinimumKubernetes = "1.32";
    private static readonly string[] PlaneKinds = ["DataPlane", "BuildPlane", "ObservabilityPlane"];

    public async Task<IReadOnlyList<DoctorCheck>> RunAsync(CancellationToken ct)
    {
        var checks = new List<DoctorCheck>();
        if (!await CheckApiAsync(checks, ct)) return checks; // nothing else can be read
        await CheckApiCertificateAsync(checks, ct);
        var planes = await CheckPlanesAsync(checks, ct);
        await CheckCertificatesAsync(checks, ct);
        await CheckIssuersAsync(checks, ct);
        if (options.Domain is { } domain) await CheckDomainAsync(domain, planes, checks, ct);
        return checks;
    }

    private async Task<bool> CheckApiAsync(List<DoctorCheck> checks, CancellationToken ct)
    {
        try
        {
            var version = await api.GetJsonAsync("/version", ct);
            await api.ListAsync(KindRegistry.Default.FindByKind("Project")!, api.Context.Namespace, ct: ct); // proves the token works
            checks.Add(DoctorCheck.Pass("control plane", api.Context.Server, $"reachable, authenticated, version {(string?)version["version"] ?? "?"}"));
            return true;
        }
        catch (ApiException e) when (ApiClient.IsUnreachable(e))
        {
            checks.Add(DoctorCheck.Fail("control plane", api.Context.Server, e.Message,
                "start it ('./openchoreo up' or 'openchoreo control-plane'), or point occ at the right server ('occ config set-context')"));
        }
        catch (ApiException e) when (e.Code == 401)
        {
            checks.Add(DoctorCheck.Fail("control plane", api.Context.Server, "the token is refused (401)", "get a fresh token and run 'occ config set-context NAME --token TOKEN'"));
        }
        catch (ApiException e)
        {
            checks.Add(DoctorCheck.Fail("control plane", api.Context.Server, e.Message, "check the control plane's log"));
        }
        return false;
    }

    private async Task CheckApiCertificateAsync(List<DoctorCheck> checks, CancellationToken ct)
    {
        var uri = new Uri(api.Context.Server);
        var roots = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection(options.ExtraRoots);
        if (!string.IsNullOrEmpty(api.Context.CertificateAuthority)) roots.ImportFromPem(api.Context.CertificateAuthority);
        var addresses = IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? [ip] : await new HostResolver(null, options.Timeout).ResolveAsync(uri.Host, ct);
        if (addresses.Count == 0) return; // the API check above already reached it, so this cannot normally happen
        checks.Add(await CheckTlsAsync("control plane", uri.IdnHost, addresses[0], uri.Port, roots, ct));
    }

    private async Task<List<ResourceObject>> CheckPlanesAsync(List<DoctorCheck> checks, CancellationToken ct)
    {
        var all = new List<ResourceObject>();
        foreach (var kind in PlaneKinds)
        {
            var (items, _) = await api.ListAsync(KindRegistry.Default.FindByKind(kind)!, null, ct: ct);
            all.AddRange(items);
        }
        if (!all.Any(p => p.Kind == "DataPlane"))
        {
            checks.Add(DoctorCheck.Fail("planes", "data plane", "no DataPlane exists: nothing can be deployed",
                "create one and enroll its agent: occ plane join-token dataplane NAME, then openchoreo agent --join-token …"));
        }
        foreach (var plane in all.OrderBy(p => p.Kind).ThenBy(p => p.Namespace).ThenBy(p => p.Name))
        {
            var subject = $"{plane.Kind} {plane.Namespace}/{plane.Name}";
            var agent = plane.Status?["agent"] as JsonObject;
            var connected = (plane.Status?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == "Connected");
            var joinHint = $"enroll an agent: occ plane join-token {plane.Kind?.ToLowerInvariant()} {plane.Name} -n {plane.Namespace}, then run openchoreo agent with it";
            if (connected is null || agent is null)
            {
                checks.Add(DoctorCheck.Fail("planes", subject, "no agent has ever connected", joinHint));
                continue;
            }
            if ((string?)connected["status"] != "True")
            {
                var since = (string?)connected["lastTransitionTime"] ?? "?";
                checks.Add(DoctorCheck.Fail("planes", subject, $"agent disconnected since {since} (last heartbeat {(string?)agent["lastHeartbeatTime"] ?? "never"})",
                    "check the agent process on that plane and that it can reach the cluster gateway (it dials out; nothing needs to be open on the plane)"));
                continue;
            }
            var runtime = agent["runtime"] as JsonObject;
            var detail = $"connected ({(int?)agent["connections"] ?? 0} connection(s)), agent {(string?)agent["version"] ?? "?"}" +
                (runtime is null ? "" : $", runtime {(string?)runtime["kind"]} {(string?)runtime["version"]}");
            checks.Add(DoctorCheck.Pass("planes", subject, detail));
            if (runtime is not null) CheckRuntime(subject, runtime, checks);
        }
        return all;
    }

    private static void CheckRuntime(string subject, JsonObject runtime, List<DoctorCheck> checks)
    {
        if (!string.Equals((string?)runtime["kind"], "kubernetes", StringComparison.OrdinalIgnoreCase)) return;
        var version = (string?)runtime["version"] ?? "";
        if (!TryMinor(version, out var v) || v < new Version(1, 32))
        {
            checks.Add(DoctorCheck.Fail("planes", subject, $"Kubernetes {version} is older than {MinimumKubernetes}", $"upgrade the cluster to {MinimumKubernetes} or newer"));
        }
        var nodes = (runtime["nodes"] as JsonArray)?.OfType<JsonObject>().Count(n => (bool?)n["ready"] == true) ?? 0;
        if (nodes < 3) checks.Add(DoctorCheck.Warn("planes", subject, $"{nodes} ready node(s)", "3 or more nodes are recommended"));
        if ((bool?)runtime["loadBalancerSupported"] != true)
        {
            checks.Add(DoctorCheck.Warn("planes", subject, "the cluster reports no load-balancer support", "install MetalLB (or similar), or use NodePort behind an external load balancer"));
        }
    }

    private static bool TryMinor(string text, out Version version)
    {
        var parts = text.TrimStart('v').Split('.', '-', '+');
        version = new Version(0, 0);
        if (parts.Length < 2 || !int.TryParse(parts[0], out var major) || !int.TryParse(parts[1], out var minor)) return false;
        version = new Version(major, minor);
        return true;
    }

    private async Task CheckCertificatesAsync(List<DoctorCheck> checks, CancellationToken ct)
    {
        if (KindRegistry.Default.FindByKind("Certificate") is not { } kind) return;
        var (items, _) = await api.ListAsync(kind, null, ct: ct);
        foreach (var cert in items)
        {
            var subject = $"Certificate {cert.Namespace}/{cert.Name}";
            var ready = (cert.Status?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == "Ready");
            if ((string?)ready?["status"] != "True")
            {
                checks.Add(DoctorCheck.Fail("certificates", subject, $"not Ready: {(string?)ready?["reason"] ?? "not processed yet"} {(string?)ready?["message"]}".TrimEnd(),
                    "see occ describe certificate " + cert.Name + " -n " + cert.Namespace));
                continue;
            }
            if (DateTimeOffset.TryParse((string?)cert.Status?["notAfter"], out var notAfter))
            {
                DateTimeOffset? notBefore = DateTimeOffset.TryParse((string?)cert.Status?["notBefore"], out var nb) ? nb : null;
                checks.Add(Expiry("certificates", subject, notBefore, notAfter, "renewal is automatic: check the issuer if it does not happen"));
            }
            else checks.Add(DoctorCheck.Pass("certificates", subject, "Ready"));
        }
    }

    private async Task CheckIssuersAsync(List<DoctorCheck> checks, CancellationToken ct)
    {
        foreach (var kindName in new[] { "Issuer", "ClusterIssuer" })
        {
            if (KindRegistry.Default.FindByKind(kindName) is not { } kind) continue;
            var (items, _) = await api.ListAsync(kind, null, ct: ct);
            foreach (var issuer in items)
            {
                if ((string?)issuer.Spec?["acme"]?["server"] is not { } server) continue;
                var subject = $"{kindName} {(issuer.Namespace.Length > 0 ? issuer.Namespace + "/" : "")}{issuer.Name}";
                checks.Add(await CheckAcmeDirectoryAsync(subject, server, ct));
            }
        }
    }

    private async Task<DoctorCheck> CheckAcmeDirectoryAsync(string subject, string server, CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, chain, errors) =>
            errors == System.Net.Security.SslPolicyErrors.None ||
            (cert is not null && (errors & System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) == 0 &&
             TlsProbe.Verify(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(cert.GetRawCertData()),
                 [.. chain?.ChainElements.Skip(1).Select(e => e.Certificate) ?? []], options.ExtraRoots).Trusted);
        using var http = new HttpClient(handler) { Timeout = options.Timeout };
        try
        {
            using var response = await http.GetAsync(server, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            return response.IsSuccessStatusCode && body.Contains("newOrder", StringComparison.Ordinal)
                ? DoctorCheck.Pass("issuers", subject, $"ACME directory {server} answers")
                : DoctorCheck.Fail("issuers", subject, $"{server} answered {(int)response.StatusCode} without an ACME directory", "check spec.acme.server");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or AuthenticationException)
        {
            return DoctorCheck.Fail("issuers", subject, $"ACME server {server} is unreachable: {e.InnerException?.Message ?? e.Message}",
                "allow the control plane egress to the ACME server, or fix spec.acme.server");
        }
    }

    private async Task CheckDomainAsync(string domain, List<ResourceObject> planes, List<DoctorCheck> checks, CancellationToken ct)
    {
        var resolver = new HostResolver(options.DnsServer, options.Timeout);
        var roots = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection(options.ExtraRoots);
        if (!string.IsNullOrEmpty(api.Context.CertificateAuthority)) roots.ImportFromPem(api.Context.CertificateAuthority);
        var hosts = new List<(string Host, string Why, int Port)>
        {
            ($"openchoreo.{domain}", "console", options.HttpsPort),
            ($"api.openchoreo.{domain}", "API", options.HttpsPort),
            ($"thunder.openchoreo.{domain}", "identity server", options.HttpsPort),
        };
        if (planes.Any(p => p.Kind == "BuildPlane")) hosts.Add(($"registry.openchoreo.{domain}", "registry", options.HttpsPort));
        var vhosts = planes.Where(p => p.Kind == "DataPlane").Select(p => (string?)p.Spec?["gateway"]?["publicVirtualHost"]).OfType<string>().Where(v => v.Length > 0).Distinct().ToList();
        if (vhosts.Count == 0) vhosts.Add($"apps.openchoreo.{domain}");
        foreach (var v in vhosts) hosts.Add(($"doctor-probe.{v}", $"apps wildcard *.{v}", options.AppsHttpsPort));

        foreach (var (host, why, port) in hosts)
        {
            IReadOnlyList<IPAddress> addresses;
            try
            {
                addresses = await resolver.ResolveAsync(host, ct);
            }
            catch (Exception e) when (e is TimeoutException or SocketException or IOException)
            {
                checks.Add(DoctorCheck.Fail("dns", host, $"DNS lookup failed: {e.Message}", "check the DNS server"));
                continue;
            }
            if (addresses.Count == 0)
            {
                checks.Add(DoctorCheck.Fail("dns", host, $"does not resolve ({why})",
                    $"create an A record (or a CNAME on EKS) for {(why.StartsWith("apps", StringComparison.Ordinal) ? why[(why.IndexOf('*'))..] : host)} pointing at its load balancer (occ plan lists them)"));
                continue;
            }
            checks.Add(DoctorCheck.Pass("dns", host, $"{why}: {string.Join(", ", addresses)}"));
            checks.Add(await CheckTlsAsync("tls", host, addresses[0], port, roots, ct));
        }
    }

    private async Task<DoctorCheck> CheckTlsAsync(string area, string host, IPAddress address, int port, System.Security.Cryptography.X509Certificates.X509Certificate2Collection roots, CancellationToken ct)
    {
        TlsObservation seen;
        try
        {
            seen = await TlsProbe.ObserveAsync(address, port, host, roots, options.Timeout, ct);
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return DoctorCheck.Fail(area, host, $"no TLS at {address}:{port}: {e.Message}", "check that the ingress listens on that address and port");
        }
        if (!seen.CoversName)
            return DoctorCheck.Fail(area, host, $"the certificate ({seen.Certificate.Subject}) does not cover {host}", "issue a certificate that names it (occ plan shows which), or fix the DNS record");
        if (!seen.Trusted)
            return DoctorCheck.Fail(area, host, $"the certificate is not trusted: {seen.TrustProblem}", "use a publicly trusted issuer, or distribute the CA that signed it (occ doctor --trust FILE to check against it)");
        return Expiry(area, host, seen.Certificate.NotBefore.ToUniversalTime(), seen.Certificate.NotAfter.ToUniversalTime(), "renew it (automatic for platform-managed certificates)");
    }

    /// <summary>
    /// Judged against the certificate's own renewal point (2/3 of its lifetime, as the platform renews) when its start
    /// is known: before it, fine however short-lived; after it, renewal is overdue (warn); within the final days, fail.
    /// </summary>
    private DoctorCheck Expiry(string area, string subject, DateTimeOffset? notBefore, DateTimeOffset notAfter, string fix)
    {
        var now = time.GetUtcNow();
        var left = notAfter - now;
        var when = $"valid until {notAfter:yyyy-MM-dd} ({Math.Floor(left.TotalDays)} days)";
        if (left <= TimeSpan.Zero) return DoctorCheck.Fail(area, subject, $"expired on {notAfter:yyyy-MM-dd}", fix);
        if (left <= options.ExpiryFail) return DoctorCheck.Fail(area, subject, when, fix);
        var overdue = notBefore is { } start ? now >= start + (notAfter - start) * 2 / 3 : left <= options.ExpiryWarn;
        return overdue
            ? DoctorCheck.Warn(area, subject, $"{when}: past its renewal time", fix)
            : DoctorCheck.Pass(area, subject, $"trusted, covers the name, {when}");
    }
}
