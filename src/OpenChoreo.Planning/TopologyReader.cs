using System.Globalization;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Planning;

/// <summary>A topology file that cannot be planned; every problem names its field path.</summary>
public sealed class TopologyException(IReadOnlyList<string> errors)
    : Exception("invalid topology:\n  " + string.Join("\n  ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>
/// Reads the topology file of <c>occ plan -f</c> (format in docs/planning.md). Collects every error before failing so
/// one run shows all of them. Unknown fields are errors too: a typo must not silently change the plan.
/// </summary>
public static class TopologyReader
{
    /// <summary>Larger files are refused: a topology is a few dozen lines.</summary>
    public const int MaxBytes = 256 * 1024;

    private static readonly string[] RootFields = ["domain", "cloud", "kubernetesVersion", "ha", "clusters"];
    private static readonly string[] ClusterFields = ["name", "cloud", "kubernetesVersion", "nodes", "planes"];
    private static readonly string[] PlaneFields = ["type", "name", "tls", "environments"];
    private static readonly string[] TlsFields = ["strategy", "solver", "dnsProvider", "server", "email", "issuerRef", "wildcard", "trustedByNodes"];
    private static readonly string[] HaFields = ["controlPlaneReplicas", "postgres", "logStoreNodes"];

    public static TopologySpec Read(string yaml)
    {
        if (yaml.Length > MaxBytes) throw new TopologyException([$"the file is larger than {MaxBytes / 1024} KiB"]);
        JsonNode? root;
        try
        {
            root = YamlCodec.ReadOne(yaml);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or YamlDotNet.Core.YamlException)
        {
            throw new TopologyException([$"not valid YAML: {e.Message}"]);
        }
        var errors = new List<string>();
        if (root is not JsonObject o) throw new TopologyException(["the file must hold a mapping with domain and clusters"]);
        Unknown(o, RootFields, "", errors);
        var domain = Str(o, "domain", "domain", errors, required: true) ?? "";
        if (domain.Length > 0 && !Names.IsDns1123Subdomain(domain)) errors.Add($"domain: \"{domain}\" is not a DNS name (lower-case letters, digits, '-' and '.')");
        var cloud = Enum(o, "cloud", "cloud", CloudProvider.OnPrem, errors, ParseCloud);
        var version = Str(o, "kubernetesVersion", "kubernetesVersion", errors) ?? "1.32";
        var ha = ReadHa(o["ha"], errors);
        var clusters = new List<ClusterSpec>();
        if (o["clusters"] is not JsonArray array || array.Count == 0) errors.Add("clusters: at least one cluster is required");
        else
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (ReadCluster(array[i], $"clusters[{i}]", cloud, version, errors) is { } c) clusters.Add(c);
            }
        }
        if (errors.Count > 0) throw new TopologyException(errors);
        return new TopologySpec(domain, clusters, ha);
    }

    private static ClusterSpec? ReadCluster(JsonNode? node, string path, CloudProvider cloud, string version, List<string> errors)
    {
        if (node is not JsonObject c)
        {
            errors.Add($"{path}: must be a mapping");
            return null;
        }
        Unknown(c, ClusterFields, path + ".", errors);
        var name = Str(c, "name", path + ".name", errors, required: true) ?? "";
        var nodes = Int(c, "nodes", path + ".nodes", errors) ?? 3;
        var planes = new List<PlaneSpec>();
        if (c["planes"] is not JsonArray array || array.Count == 0) errors.Add($"{path}.planes: at least one plane is required");
        else
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (ReadPlane(array[i], $"{path}.planes[{i}]", errors) is { } p) planes.Add(p);
            }
        }
        return new ClusterSpec(name,
            Enum(c, "cloud", path + ".cloud", cloud, errors, ParseCloud),
            Str(c, "kubernetesVersion", path + ".kubernetesVersion", errors) ?? version,
            nodes, planes);
    }

    private static PlaneSpec? ReadPlane(JsonNode? node, string path, List<string> errors)
    {
        if (node is not JsonObject p)
        {
            errors.Add($"{path}: must be a mapping");
            return null;
        }
        Unknown(p, PlaneFields, path + ".", errors);
        var typeText = Str(p, "type", path + ".type", errors, required: true);
        PlaneType? type = typeText switch
        {
            "control" => PlaneType.Control,
            "data" => PlaneType.Data,
            "build" => PlaneType.Build,
            "observability" => PlaneType.Observability,
            null => null,
            _ => null,
        };
        if (typeText is not null && type is null) errors.Add($"{path}.type: \"{typeText}\" is not one of control, data, build, observability");
        var name = Str(p, "name", path + ".name", errors) ?? "default";
        if (!Names.IsDns1123Label(name)) errors.Add($"{path}.name: \"{name}\" is not a DNS-1123 label");
        var tls = p["tls"] is null ? null : ReadTls(p["tls"], path + ".tls", errors);
        var envs = (p["environments"] as JsonArray)?.Select(e => e?.ToString() ?? "").ToList() ?? [];
        return type is null ? null : new PlaneSpec(type.Value, name, tls) { Environments = envs };
    }

    private static TlsSpec? ReadTls(JsonNode? node, string path, List<string> errors)
    {
        if (node is not JsonObject t)
        {
            errors.Add($"{path}: must be a mapping");
            return null;
        }
        Unknown(t, TlsFields, path + ".", errors);
        var strategy = Enum(t, "strategy", path + ".strategy", TlsStrategy.Acme, errors, s => s switch
        {
            "acme" => TlsStrategy.Acme,
            "issuer" => TlsStrategy.Issuer,
            "ca" => TlsStrategy.Ca,
            "bring-your-own" => TlsStrategy.BringYourOwn,
            "self-signed" => TlsStrategy.SelfSigned,
            _ => null,
        }, required: true, allowed: "acme, issuer, ca, bring-your-own, self-signed");
        var solver = Enum(t, "solver", path + ".solver", AcmeSolver.Http01, errors, s => s switch
        {
            "http01" => AcmeSolver.Http01,
            "dns01" => AcmeSolver.Dns01,
            _ => null,
        }, allowed: "http01, dns01");
        var provider = Str(t, "dnsProvider", path + ".dnsProvider", errors) ?? "rfc2136";
        if (provider is not ("rfc2136" or "cloudflare")) errors.Add($"{path}.dnsProvider: \"{provider}\" is not one of rfc2136, cloudflare");
        var spec = new TlsSpec(strategy)
        {
            Solver = solver,
            DnsProvider = provider,
            AcmeServer = Str(t, "server", path + ".server", errors) ?? "https://acme-v02.api.letsencrypt.org/directory",
            Email = Str(t, "email", path + ".email", errors),
            Wildcard = Bool(t, "wildcard", path + ".wildcard", errors),
            TrustedByNodes = Bool(t, "trustedByNodes", path + ".trustedByNodes", errors),
        };
        if (t["issuerRef"] is JsonObject issuer)
        {
            spec = spec with
            {
                IssuerName = Str(issuer, "name", path + ".issuerRef.name", errors, required: true),
                IssuerKind = Str(issuer, "kind", path + ".issuerRef.kind", errors) ?? "ClusterIssuer",
            };
            if (spec.IssuerKind is not ("Issuer" or "ClusterIssuer")) errors.Add($"{path}.issuerRef.kind: \"{spec.IssuerKind}\" is not one of Issuer, ClusterIssuer");
        }
        if (strategy == TlsStrategy.Issuer && spec.IssuerName is null) errors.Add($"{path}.issuerRef: strategy issuer needs issuerRef.name");
        if (strategy == TlsStrategy.Acme && spec.AcmeServer is { } server && !(Uri.TryCreate(server, UriKind.Absolute, out var u) && u.Scheme == "https"))
            errors.Add($"{path}.server: \"{server}\" is not an https URL");
        return spec;
    }

    private static HaSpec ReadHa(JsonNode? node, List<string> errors)
    {
        switch (node)
        {
            case null:
                return HaSpec.Default;
            case JsonValue v when v.TryGetValue<bool>(out var on):
                return on ? HaSpec.Recommended : HaSpec.Default;
            case JsonObject o:
                Unknown(o, HaFields, "ha.", errors);
                var replicas = Int(o, "controlPlaneReplicas", "ha.controlPlaneReplicas", errors) ?? 3;
                if (replicas < 1) errors.Add("ha.controlPlaneReplicas: must be at least 1");
                var logNodes = Int(o, "logStoreNodes", "ha.logStoreNodes", errors) ?? 3;
                if (logNodes < 1) errors.Add("ha.logStoreNodes: must be at least 1");
                var pg = Enum(o, "postgres", "ha.postgres", PostgresMode.PrimaryReplica, errors, s => s switch
                {
                    "single" => PostgresMode.Single,
                    "primary-replica" => PostgresMode.PrimaryReplica,
                    "managed" => PostgresMode.Managed,
                    _ => null,
                }, allowed: "single, primary-replica, managed");
                return new HaSpec(true, replicas, pg, logNodes);
            default:
                errors.Add("ha: must be true, false or a mapping with controlPlaneReplicas, postgres, logStoreNodes");
                return HaSpec.Default;
        }
    }

    private static CloudProvider? ParseCloud(string s) => s switch
    {
        "eks" => CloudProvider.Eks,
        "gke" => CloudProvider.Gke,
        "aks" => CloudProvider.Aks,
        "onprem" or "on-prem" => CloudProvider.OnPrem,
        _ => null,
    };

    private static void Unknown(JsonObject o, string[] known, string prefix, List<string> errors)
    {
        foreach (var (key, _) in o)
        {
            if (!known.Contains(key)) errors.Add($"{prefix}{key}: unknown field (known: {string.Join(", ", known)})");
        }
    }

    private static string? Str(JsonObject o, string key, string path, List<string> errors, bool required = false)
    {
        switch (o[key])
        {
            case null:
                if (required) errors.Add($"{path}: required");
                return null;
            case JsonValue v when v.TryGetValue<string>(out var s):
                return s;
            case JsonValue v:
                return Convert.ToString(v.GetValue<object>(), CultureInfo.InvariantCulture);
            default:
                errors.Add($"{path}: must be a string");
                return null;
        }
    }

    private static int? Int(JsonObject o, string key, string path, List<string> errors)
    {
        if (o[key] is null) return null;
        if (o[key] is JsonValue v)
        {
            if (v.TryGetValue<long>(out var l) && l is >= int.MinValue and <= int.MaxValue) return (int)l;
            if (v.TryGetValue<int>(out var i)) return i;
        }
        errors.Add($"{path}: must be an integer");
        return null;
    }

    private static bool Bool(JsonObject o, string key, string path, List<string> errors)
    {
        if (o[key] is null) return false;
        if (o[key] is JsonValue v && v.TryGetValue<bool>(out var b)) return b;
        errors.Add($"{path}: must be true or false");
        return false;
    }

    private static T Enum<T>(JsonObject o, string key, string path, T fallback, List<string> errors, Func<string, T?> parse,
        bool required = false, string? allowed = null) where T : struct
    {
        var text = Str(o, key, path, errors, required);
        if (text is null) return fallback;
        if (parse(text) is { } value) return value;
        errors.Add($"{path}: \"{text}\" is not one of {allowed ?? "eks, gke, aks, onprem"}");
        return fallback;
    }
}
