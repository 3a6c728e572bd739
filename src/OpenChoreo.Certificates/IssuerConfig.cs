using System.Text.Json.Nodes;

namespace OpenChoreo.Certificates;

/// <summary>A reference to one value of a Secret.</summary>
internal sealed record SecretKeyRef(string Name, string Key);

/// <summary>The issuer spec read into types: exactly one of acme, ca, selfSigned.</summary>
internal abstract record IssuerConfig
{
    /// <summary>Reads <c>spec</c>; returns null with <paramref name="error"/> saying what is wrong.</summary>
    public static IssuerConfig? Parse(JsonNode? spec, out string? error)
    {
        error = null;
        var o = spec as JsonObject;
        var present = new[] { "acme", "ca", "selfSigned" }.Where(k => o?[k] is JsonObject).ToList();
        if (present.Count != 1)
        {
            error = present.Count == 0 ? "spec needs one of acme, ca or selfSigned" : $"spec sets {string.Join(" and ", present)}: exactly one of acme, ca or selfSigned is allowed";
            return null;
        }
        switch (present[0])
        {
            case "selfSigned":
                return new SelfSignedIssuerConfig();
            case "ca":
                var secretName = Str(o!["ca"], "secretName");
                if (secretName is null) error = "spec.ca.secretName is required";
                return secretName is null ? null : new CaIssuerConfig(secretName);
            default:
                return ParseAcme((JsonObject)o!["acme"]!, out error);
        }
    }

    private static AcmeIssuerConfig? ParseAcme(JsonObject acme, out string? error)
    {
        error = null;
        var server = Str(acme, "server");
        if (server is null || !Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            error = $"spec.acme.server must be an https URL (got '{server}')";
            return null;
        }
        var keySecret = Str(acme["privateKeySecretRef"], "name");
        if (keySecret is null)
        {
            error = "spec.acme.privateKeySecretRef.name is required";
            return null;
        }
        string? caBundle = null;
        if (Str(acme, "caBundle") is { } b64)
        {
            try
            {
                caBundle = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(b64));
            }
            catch (FormatException)
            {
                error = "spec.acme.caBundle is not base64";
                return null;
            }
        }
        var solvers = new List<SolverConfig>();
        var i = 0;
        foreach (var s in acme["solvers"] as JsonArray ?? [])
        {
            var path = $"spec.acme.solvers[{i++}]";
            if (s?["http01"] is JsonObject)
            {
                solvers.Add(new Http01SolverConfig());
            }
            else if (s?["dns01"]?["rfc2136"] is JsonObject r)
            {
                var ns = Str(r, "nameserver");
                if (ns is null) { error = path + ".dns01.rfc2136.nameserver is required"; return null; }
                var alg = Str(r, "tsigAlgorithm");
                if (alg is not (null or "HMACSHA256" or "hmac-sha256")) { error = $"{path}.dns01.rfc2136.tsigAlgorithm '{alg}' is not supported (use HMACSHA256)"; return null; }
                var keyName = Str(r, "tsigKeyName");
                var secret = Ref(r["tsigSecretSecretRef"]);
                if (keyName is null != secret is null) { error = $"{path}.dns01.rfc2136: tsigKeyName and tsigSecretSecretRef go together"; return null; }
                solvers.Add(new Rfc2136SolverConfig(ns, Str(r, "zone"), keyName, secret));
            }
            else if (s?["dns01"]?["cloudflare"] is JsonObject c)
            {
                var token = Ref(c["apiTokenSecretRef"]);
                if (token is null) { error = path + ".dns01.cloudflare.apiTokenSecretRef needs name and key"; return null; }
                solvers.Add(new CloudflareSolverConfig(token, Str(c, "apiBase")));
            }
            else
            {
                error = path + " needs http01, dns01.rfc2136 or dns01.cloudflare";
                return null;
            }
        }
        if (solvers.Count == 0)
        {
            error = "spec.acme.solvers needs at least one solver";
            return null;
        }
        return new AcmeIssuerConfig(uri, Str(acme, "email"), keySecret, caBundle, solvers);
    }

    internal static string? Str(JsonNode? o, string key) =>
        o is JsonObject obj && obj[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    private static SecretKeyRef? Ref(JsonNode? o) =>
        Str(o, "name") is { } n && Str(o, "key") is { } k ? new SecretKeyRef(n, k) : null;
}

internal sealed record SelfSignedIssuerConfig : IssuerConfig;

internal sealed record CaIssuerConfig(string SecretName) : IssuerConfig
{
    /// <summary>The reserved secret name that selects the control plane's own platform CA.</summary>
    public const string PlatformCaName = "platform-ca";
}

internal sealed record AcmeIssuerConfig(Uri Server, string? Email, string AccountKeySecret, string? CaBundlePem, IReadOnlyList<SolverConfig> Solvers) : IssuerConfig
{
    /// <summary>The solver for these names: DNS-01 when any name is a wildcard, else HTTP-01 first, else the first one.</summary>
    public SolverConfig Pick(IReadOnlyList<string> dnsNames) =>
        dnsNames.Any(n => n.StartsWith("*.", StringComparison.Ordinal))
            ? Solvers.FirstOrDefault(s => s is not Http01SolverConfig) ?? Solvers[0]
            : Solvers.FirstOrDefault(s => s is Http01SolverConfig) ?? Solvers[0];
}

internal abstract record SolverConfig;

internal sealed record Http01SolverConfig : SolverConfig;

internal sealed record Rfc2136SolverConfig(string Nameserver, string? Zone, string? TsigKeyName, SecretKeyRef? TsigSecret) : SolverConfig;

/// <summary><paramref name="ApiBase"/> overrides the Cloudflare API URL (tests; API-compatible proxies).</summary>
internal sealed record CloudflareSolverConfig(SecretKeyRef ApiToken, string? ApiBase) : SolverConfig;
