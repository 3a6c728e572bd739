using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Store;

namespace OpenChoreo.Server;

/// <summary>
/// The TLS part of <c>openchoreo up</c>: <c>--tls ca</c> (platform CA for every host) or <c>--tls acme</c>, which makes a
/// ClusterIssuer and Certificates for the control-plane hosts (HTTP-01 on the plain-HTTP listener) and, with an RFC 2136
/// server and TSIG key, for the apps wildcard (DNS-01). The listener picks the certificates up once their Secrets exist.
/// </summary>
public sealed partial class UpTls
{
    public const string PlatformNamespace = "openchoreo-system";
    public const string IssuerName = "openchoreo-acme";
    public const string AccountKeySecret = "openchoreo-acme-account";
    public const string TsigSecret = "openchoreo-dns01-tsig";
    public const string ControlPlaneCertificate = "openchoreo-control-plane";
    public const string AppsCertificate = "openchoreo-apps";

    private UpTls()
    {
    }

    /// <summary>ca or acme.</summary>
    public string Mode { get; private init; } = "ca";
    public string? Domain { get; private init; }
    public Uri? AcmeServer { get; private init; }
    public string? AcmeEmail { get; private init; }
    public string? AcmeCaPem { get; private init; }
    public IPAddress Http01Address { get; private init; } = IPAddress.Any;
    public int Http01Port { get; private init; } = 80;
    public string? Dns01Server { get; private init; }
    public string? TsigKeyName { get; private init; }
    public string? TsigKeySecret { get; private init; }

    public bool Acme => Mode == "acme";

    /// <summary>Checks the flags together; returns null with <paramref name="error"/> (one line, names the flag) when they do not fit.</summary>
    public static UpTls? Parse(string? domain, string? tls, string? acmeServer, string? acmeEmail, string? acmeCaFile, int? http01Port,
        string? http01Address, string? dns01Rfc2136, string? tsigKeyFile, out string? error)
    {
        error = null;
        var mode = tls ?? "ca";
        if (mode is not ("ca" or "acme"))
        {
            error = $"--tls must be ca or acme (got '{mode}')";
            return null;
        }
        if (domain is not null && !ControlPlaneHosts.IsValidDomain(domain))
        {
            error = $"--domain '{domain}' is not a DNS name such as example.com (lowercase labels, at least two)";
            return null;
        }
        if (mode == "ca")
        {
            var acmeOnly = new (string Flag, bool Set)[]
            {
                ("--acme-server", acmeServer is not null), ("--acme-email", acmeEmail is not null), ("--acme-ca-file", acmeCaFile is not null),
                ("--http01-port", http01Port is not null), ("--http01-address", http01Address is not null),
                ("--dns01-rfc2136", dns01Rfc2136 is not null), ("--tsig-key-file", tsigKeyFile is not null),
            }.FirstOrDefault(f => f.Set);
            if (acmeOnly.Flag is not null)
            {
                error = $"{acmeOnly.Flag} is only used with --tls acme";
                return null;
            }
            return new UpTls { Mode = "ca", Domain = domain };
        }
        if (domain is null)
        {
            error = "--tls acme needs --domain: certificates are issued for openchoreo.{domain}, api.openchoreo.{domain} and thunder.openchoreo.{domain}";
            return null;
        }
        if (acmeServer is null)
        {
            error = "--tls acme needs --acme-server: the ACME directory URL, e.g. https://acme-v02.api.letsencrypt.org/directory";
            return null;
        }
        if (!Uri.TryCreate(acmeServer, UriKind.Absolute, out var server) || server.Scheme != Uri.UriSchemeHttps)
        {
            error = $"--acme-server must be an https URL (got '{acmeServer}')";
            return null;
        }
        if (acmeEmail is not null && (acmeEmail.Length > 254 || !EmailRegex().IsMatch(acmeEmail)))
        {
            error = $"--acme-email '{acmeEmail}' is not an e-mail address";
            return null;
        }
        string? caPem = null;
        if (acmeCaFile is not null)
        {
            if (!File.Exists(acmeCaFile))
            {
                error = $"--acme-ca-file {acmeCaFile} does not exist";
                return null;
            }
            caPem = File.ReadAllText(acmeCaFile);
            try
            {
                if (Pem.ReadCertificates(caPem).Count == 0) throw new FormatException();
            }
            catch (Exception e) when (e is FormatException or ArgumentException or System.Security.Cryptography.CryptographicException)
            {
                error = $"--acme-ca-file {acmeCaFile} holds no PEM certificate";
                return null;
            }
        }
        if (http01Port is < 0 or > 65535)
        {
            error = $"--http01-port must be 0-65535 (got {http01Port})";
            return null;
        }
        var address = IPAddress.Any;
        if (http01Address is not null && !IPAddress.TryParse(http01Address, out address!))
        {
            error = $"--http01-address '{http01Address}' is not an IP address";
            return null;
        }
        if (dns01Rfc2136 is null != tsigKeyFile is null)
        {
            error = dns01Rfc2136 is null
                ? "--tsig-key-file needs --dns01-rfc2136 server:port"
                : "--dns01-rfc2136 needs --tsig-key-file: unsigned DNS updates are refused";
            return null;
        }
        string? keyName = null, keySecret = null;
        if (dns01Rfc2136 is not null)
        {
            var colon = dns01Rfc2136.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(dns01Rfc2136[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var dnsPort) || dnsPort is < 1 or > 65535)
            {
                error = $"--dns01-rfc2136 must be server:port (got '{dns01Rfc2136}')";
                return null;
            }
            if (!File.Exists(tsigKeyFile))
            {
                error = $"--tsig-key-file {tsigKeyFile} does not exist";
                return null;
            }
            var text = File.ReadAllText(tsigKeyFile!);
            var m = TsigKeyRegex().Match(text);
            if (!m.Success)
            {
                error = $"--tsig-key-file {tsigKeyFile} is not a key made by tsig-keygen -a hmac-sha256 (key \"name\" {{ algorithm hmac-sha256; secret \"...\"; }};)";
                return null;
            }
            keyName = m.Groups["name"].Value;
            keySecret = m.Groups["secret"].Value;
        }
        return new UpTls
        {
            Mode = "acme",
            Domain = domain,
            AcmeServer = server,
            AcmeEmail = acmeEmail,
            AcmeCaPem = caPem,
            Http01Address = address,
            Http01Port = http01Port ?? 80,
            Dns01Server = dns01Rfc2136,
            TsigKeyName = keyName,
            TsigKeySecret = keySecret,
        };
    }

    /// <summary>The control-plane settings these flags imply (the domain's hosts; the plain-HTTP listener for HTTP-01).</summary>
    public void AddOverrides(IDictionary<string, string?> overrides)
    {
        if (Domain is not null) overrides["domain"] = Domain;
        if (Acme)
        {
            var host = Http01Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Http01Address}]" : Http01Address.ToString();
            overrides["httpListen"] = string.Create(CultureInfo.InvariantCulture, $"http://{host}:{Http01Port}");
            overrides["certificates:clusterResourceNamespace"] = PlatformNamespace;
        }
    }

    /// <summary>Creates or updates the ClusterIssuer, the TSIG Secret and the Certificates (nothing for <c>--tls ca</c>).</summary>
    public async Task ApplyAsync(IResourceStore store, CancellationToken ct)
    {
        if (!Acme) return;
        var acme = new JsonObject
        {
            ["server"] = AcmeServer!.ToString(),
            ["privateKeySecretRef"] = new JsonObject { ["name"] = AccountKeySecret },
        };
        if (AcmeEmail is not null) acme["email"] = AcmeEmail;
        if (AcmeCaPem is not null) acme["caBundle"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(AcmeCaPem));
        var solvers = new JsonArray { new JsonObject { ["http01"] = new JsonObject() } };
        if (Dns01Server is not null)
        {
            await PutAsync(store, new ResourceObject(new JsonObject
            {
                ["apiVersion"] = KindRegistry.GroupVersion,
                ["kind"] = "Secret",
                ["metadata"] = new JsonObject { ["name"] = TsigSecret, ["namespace"] = PlatformNamespace },
                ["type"] = "Opaque",
                ["data"] = new JsonObject { ["secret"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(TsigKeySecret!)) },
            }), ct);
            solvers.Add(new JsonObject
            {
                ["dns01"] = new JsonObject
                {
                    ["rfc2136"] = new JsonObject
                    {
                        ["nameserver"] = Dns01Server,
                        ["tsigKeyName"] = TsigKeyName,
                        ["tsigAlgorithm"] = "HMACSHA256",
                        ["tsigSecretSecretRef"] = new JsonObject { ["name"] = TsigSecret, ["key"] = "secret" },
                    },
                },
            });
        }
        acme["solvers"] = solvers;
        await PutAsync(store, Resource("ClusterIssuer", IssuerName, null, new JsonObject { ["acme"] = acme }), ct);
        await PutAsync(store, Resource("Certificate", ControlPlaneCertificate, PlatformNamespace, CertificateSpec(ControlPlaneCertificate, ControlPlaneHosts.All(Domain!))), ct);
        if (Dns01Server is not null)
            await PutAsync(store, Resource("Certificate", AppsCertificate, PlatformNamespace, CertificateSpec(AppsCertificate, [ControlPlaneHosts.AppsWildcard(Domain!)])), ct);
    }

    /// <summary>Waits up to <paramref name="wait"/> for the Certificates to settle (Ready, or a failure that is not "Issuing").</summary>
    public async Task WaitSettledAsync(IResourceStore store, TimeSpan wait, TimeProvider time, CancellationToken ct)
    {
        if (!Acme) return;
        var deadline = time.GetUtcNow() + wait;
        while (time.GetUtcNow() < deadline)
        {
            var settled = true;
            foreach (var name in CertificateNames)
            {
                var c = await store.GetAsync(new ResourceKey("Certificate", PlatformNamespace, name), ct);
                var ready = c is null ? null : Conditions.Get(c, "Ready");
                if (ready is null || ready.ObservedGeneration != c!.Generation || (ready.Status != Condition.True && ready.Reason is "Issuing" or "Renewing")) settled = false;
            }
            if (settled) return;
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
        }
    }

    /// <summary>
    /// Waits up to <paramref name="wait"/> until the listeners' certificate index serves the Secret of every Ready
    /// Certificate (it follows the store through a watch, a moment behind), so the banner names what is really served.
    /// </summary>
    public async Task WaitServedAsync(IResourceStore store, SniCertificateSelector selector, TimeSpan wait, TimeProvider time, CancellationToken ct)
    {
        if (!Acme) return;
        var deadline = time.GetUtcNow() + wait;
        while (time.GetUtcNow() < deadline)
        {
            var served = true;
            foreach (var name in CertificateNames)
            {
                var c = await store.GetAsync(new ResourceKey("Certificate", PlatformNamespace, name), ct);
                var host = name == AppsCertificate ? ControlPlaneHosts.AppsWildcard(Domain!) : ControlPlaneHosts.Api(Domain!);
                if (c is not null && Conditions.Get(c, "Ready") is { Status: Condition.True } && selector.SecretFor(host) is null) served = false;
            }
            if (served) return;
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct);
        }
    }

    private IEnumerable<string> CertificateNames => Dns01Server is null ? [ControlPlaneCertificate] : [ControlPlaneCertificate, AppsCertificate];

    /// <summary>The banner lines: where each host's certificate comes from and its state.</summary>
    public async Task<string> DescribeAsync(IResourceStore store, SniCertificateSelector selector, CancellationToken ct)
    {
        if (Domain is null) return "";
        var sb = new StringBuilder();
        if (!Acme)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  TLS          platform CA (--tls ca) for {string.Join(", ", ControlPlaneHosts.All(Domain))} and {ControlPlaneHosts.AppsWildcard(Domain)}\n");
            return sb.ToString();
        }
        sb.Append(CultureInfo.InvariantCulture, $"  TLS          ACME (--tls acme): ClusterIssuer {IssuerName}, server {AcmeServer}, HTTP-01 on port {Http01Port}\n");
        var cp = await store.GetAsync(new ResourceKey("Certificate", PlatformNamespace, ControlPlaneCertificate), ct);
        foreach (var host in ControlPlaneHosts.All(Domain))
        {
            var source = selector.SecretFor(host) is { } secret ? $"Secret {PlatformNamespace}/{secret}" : "platform CA (until the ACME certificate is ready)";
            sb.Append(CultureInfo.InvariantCulture, $"               {host,-34} {source}\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"               Certificate {ControlPlaneCertificate}: {State(cp)}\n");
        if (Dns01Server is not null)
        {
            var apps = await store.GetAsync(new ResourceKey("Certificate", PlatformNamespace, AppsCertificate), ct);
            // The data-plane ingress reads the same index as the API listener, so this is what it serves.
            var wildcard = ControlPlaneHosts.AppsWildcard(Domain);
            var source = selector.SecretFor(wildcard) is { } secret ? $"Secret {PlatformNamespace}/{secret}" : "platform CA (until the ACME certificate is ready)";
            sb.Append(CultureInfo.InvariantCulture, $"               {wildcard,-34} {source}\n");
            sb.Append(CultureInfo.InvariantCulture, $"               Certificate {AppsCertificate} (DNS-01 via {Dns01Server}): {State(apps)}\n");
        }
        else
        {
            sb.Append(CultureInfo.InvariantCulture, $"               {ControlPlaneHosts.AppsWildcard(Domain),-34} platform CA: a wildcard needs DNS-01 (--dns01-rfc2136 server:port --tsig-key-file F)\n");
        }
        return sb.ToString();
    }

    private static string State(ResourceObject? c)
    {
        if (c is null) return "missing";
        if (Conditions.Get(c, "Ready") is not { } ready) return "pending";
        if (ready.Status == Condition.True) return $"Ready, valid until {(string?)c.Node["status"]?["notAfter"]}";
        return $"not Ready ({ready.Reason}: {ready.Message})";
    }

    private static JsonObject CertificateSpec(string name, IReadOnlyList<string> dnsNames) => new()
    {
        ["secretName"] = name + "-tls",
        ["dnsNames"] = new JsonArray([.. dnsNames.Select(n => (JsonNode)n)]),
        ["issuerRef"] = new JsonObject { ["name"] = IssuerName, ["kind"] = "ClusterIssuer" },
    };

    private static ResourceObject Resource(string kind, string name, string? ns, JsonObject spec) => new(new JsonObject
    {
        ["apiVersion"] = KindRegistry.GroupVersion,
        ["kind"] = kind,
        ["metadata"] = ns is null ? new JsonObject { ["name"] = name } : new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = spec,
    });

    /// <summary>Creates the object, or replaces spec/data of the existing one (a rerun with other flags updates them).</summary>
    private static async Task PutAsync(IResourceStore store, ResourceObject desired, CancellationToken ct)
    {
        var key = ResourceKey.Of(desired);
        var existing = await store.GetAsync(key, ct);
        if (existing is null)
        {
            await store.CreateAsync(desired, ct);
            return;
        }
        foreach (var field in new[] { "spec", "data", "type" })
            if (desired.Node[field] is { } v) existing.Node[field] = v.DeepClone();
        await store.UpdateAsync(existing, UpdateScope.Main, ct);
    }

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailRegex();

    [GeneratedRegex("key\\s+\"(?<name>[A-Za-z0-9._-]+)\"\\s*\\{\\s*algorithm\\s+hmac-sha256\\s*;\\s*secret\\s+\"(?<secret>[A-Za-z0-9+/=]+)\"\\s*;\\s*\\}\\s*;")]
    private static partial Regex TsigKeyRegex();
}
