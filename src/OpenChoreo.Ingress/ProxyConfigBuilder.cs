using System.Net;
using OpenChoreo.Runtime.Podman;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.LoadBalancing;

namespace OpenChoreo.Ingress;

/// <summary>One consistent proxy configuration built from the route table, with the host names it serves and what it refused.</summary>
internal sealed record IngressSnapshot(IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters,
    IReadOnlySet<string> ExactHosts, IReadOnlySet<string> WildcardSuffixes, IReadOnlyList<RejectedRoute> Rejected)
{
    public static readonly IngressSnapshot Empty = new([], [], new HashSet<string>(), new HashSet<string>(), []);

    /// <summary>Whether any route serves <paramref name="host"/> (port stripped, lower case).</summary>
    public bool Serves(string host)
    {
        if (ExactHosts.Contains(host)) return true;
        var dot = host.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && WildcardSuffixes.Contains(host[dot..]);
    }
}

internal sealed record RejectedRoute(string Release, string Namespace, string Name, string Problem);

/// <summary>
/// Turns HTTPRoutes into YARP routes and clusters: one YARP route per (rule, match), one cluster per rule whose
/// destinations are the ready replicas' 127.0.0.1 ports. Gateway API precedence (exact host, exact path, longest prefix,
/// method, number of header matches) becomes the YARP route order. A match the gateway cannot serve faithfully is
/// refused (and reported), never approximated.
/// </summary>
internal static class ProxyConfigBuilder
{
    private const int MaxWeightCopies = 16;
    public const string CatchAll = "{**oc-rest}";

    public static IngressSnapshot Build(IReadOnlyList<RouteEntry> entries, IngressOptions options)
    {
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        var exact = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var wildcard = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var rejected = new List<RejectedRoute>();
        foreach (var entry in entries.OrderBy(e => e.Release, StringComparer.Ordinal).ThenBy(e => e.Namespace, StringComparer.Ordinal).ThenBy(e => e.Name, StringComparer.Ordinal))
        {
            void Reject(string problem) => rejected.Add(new RejectedRoute(entry.Release, entry.Namespace, entry.Name, problem));

            var hosts = entry.Hostnames.Count == 0 ? ["*." + options.AppsDomain] : entry.Hostnames.Select(h => h.ToLowerInvariant()).ToList();
            if (hosts.FirstOrDefault(h => !HostnameRules.IsHostPattern(h)) is { } badHost)
            {
                Reject($"hostname '{badHost}' is not a host name or *.wildcard");
                continue;
            }
            foreach (var h in hosts)
                if (h.StartsWith("*.", StringComparison.Ordinal)) wildcard.Add(h[1..]);
                else exact.Add(h);
            var allExactHosts = hosts.All(h => !h.StartsWith('*'));
            var labels = entry.Labels ?? new Dictionary<string, string>();
            var routeName = $"{entry.Namespace}/{entry.Name}";

            for (var r = 0; r < entry.Rules.Count; r++)
            {
                var rule = entry.Rules[r];
                var clusterId = $"{entry.Release}|{routeName}|{r}";
                var destinations = Destinations(rule.Backends, out var backendProblem);
                if (backendProblem is not null) Reject($"rule {r}: {backendProblem}");
                clusters.Add(new ClusterConfig
                {
                    ClusterId = clusterId,
                    LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
                    Destinations = destinations,
                    HealthCheck = new HealthCheckConfig
                    {
                        Passive = new PassiveHealthCheckConfig { Enabled = true, ReactivationPeriod = options.PassiveHealthReactivation },
                    },
                    HttpRequest = new ForwarderRequestConfig
                    {
                        ActivityTimeout = options.BackendTimeout,
                        Version = HttpVersion.Version11,
                        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
                    },
                });

                var rewriteProblem = CheckRewrite(rule);
                if (rewriteProblem is not null)
                {
                    Reject($"rule {r}: {rewriteProblem}");
                    continue;
                }
                IReadOnlyList<RoutePathMatch> matches = rule.Matches.Count == 0 ? [new RoutePathMatch("PathPrefix", "/")] : rule.Matches;
                for (var m = 0; m < matches.Count; m++)
                {
                    var match = matches[m];
                    if (CheckMatch(match, rule.Rewrite) is { } problem)
                    {
                        Reject($"rule {r} match {m}: {problem}");
                        continue;
                    }
                    var prefix = match.Value.Length > 1 ? match.Value.TrimEnd('/') : "/";
                    var metadata = new Dictionary<string, string>
                    {
                        [IngressRouteMetadata.Route] = routeName,
                        [IngressRouteMetadata.Component] = labels.GetValueOrDefault("openchoreo.dev/component") ?? "",
                        [IngressRouteMetadata.Environment] = labels.GetValueOrDefault("openchoreo.dev/environment") ?? "",
                    };
                    if (rule.Rewrite is { } rw)
                    {
                        if (rw.Hostname is { Length: > 0 } rh) metadata[IngressRouteMetadata.RewriteHost] = rh;
                        if (rw.PathType == "ReplacePrefixMatch")
                        {
                            metadata[IngressRouteMetadata.MatchPrefix] = prefix;
                            metadata[IngressRouteMetadata.ReplacePrefix] = rw.PathValue!;
                        }
                        else if (rw.PathType == "ReplaceFullPath")
                        {
                            metadata[IngressRouteMetadata.ReplaceFullPath] = rw.PathValue!;
                        }
                    }
                    var isExact = match.Type == "Exact";
                    var headers = match.Headers ?? [];
                    // Lower order wins: exact hosts, then exact paths, then longer prefixes, then method, then more headers.
                    var score = (allExactHosts ? 1 : 0) * 100_000_000 + (isExact ? 1 : 0) * 10_000_000 + match.Value.Length * 1000
                                + (match.Method is null ? 0 : 500) + Math.Min(headers.Count, 50) * 10;
                    routes.Add(new RouteConfig
                    {
                        RouteId = $"{clusterId}|{m}",
                        ClusterId = clusterId,
                        Order = -score,
                        Metadata = metadata,
                        Match = new RouteMatch
                        {
                            Hosts = hosts,
                            Path = isExact ? match.Value : prefix == "/" ? "/" + CatchAll : prefix + "/" + CatchAll,
                            Methods = match.Method is null ? null : [match.Method.ToUpperInvariant()],
                            Headers = headers.Count == 0 ? null : headers.Select(h => new RouteHeader
                            {
                                Name = h.Name,
                                Values = [h.Value],
                                Mode = HeaderMatchMode.ExactHeader,
                                IsCaseSensitive = true,
                            }).ToList(),
                        },
                    });
                }
            }
        }
        return new IngressSnapshot(routes, clusters, exact, wildcard, rejected);
    }

    private static string? CheckMatch(RoutePathMatch match, RouteRewrite? rewrite)
    {
        if (match.Type is not ("PathPrefix" or "Exact")) return $"path match type '{match.Type}' is not supported (PathPrefix, Exact)";
        if (!HostnameRules.IsPlainPath(match.Value)) return $"path '{match.Value}' is not an absolute path without query, wildcards or escapes";
        if (rewrite?.PathType == "ReplacePrefixMatch" && match.Type != "PathPrefix") return "ReplacePrefixMatch needs a PathPrefix match";
        if (match.Method is { } method && !HttpMethodNames.Contains(method)) return $"method '{method}' is not an HTTP method";
        foreach (var h in match.Headers ?? [])
        {
            if (h.Type != "Exact") return $"header match type '{h.Type}' is not supported (Exact)";
            if (string.IsNullOrEmpty(h.Name) || h.Name.Any(c => c <= ' ' || c >= 0x7f || c == ':')) return $"header name '{h.Name}' is not a valid header name";
        }
        return null;
    }

    private static string? CheckRewrite(RouteRule rule)
    {
        if (rule.Rewrite is not { } rw) return null;
        if (rw.Hostname is { Length: > 0 } h && !HostnameRules.IsDnsName(h)) return $"URLRewrite hostname '{h}' is not a host name";
        return rw.PathType switch
        {
            null => null,
            "ReplacePrefixMatch" or "ReplaceFullPath" when HostnameRules.IsPlainPath(rw.PathValue) => null,
            "ReplacePrefixMatch" or "ReplaceFullPath" => $"URLRewrite path '{rw.PathValue}' is not an absolute path",
            _ => $"URLRewrite path type '{rw.PathType}' is not supported (ReplacePrefixMatch, ReplaceFullPath)",
        };
    }

    private static readonly HashSet<string> HttpMethodNames = new(["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"], StringComparer.Ordinal);

    /// <summary>Ready replicas of every backend (weights by repetition); only loopback endpoints are ever dialed.</summary>
    private static Dictionary<string, DestinationConfig> Destinations(IReadOnlyList<RouteBackend> backends, out string? problem)
    {
        problem = null;
        var result = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal);
        var weights = backends.Where(b => b.Weight > 0).Select(b => b.Weight).ToList();
        var gcd = weights.Count == 0 ? 1 : weights.Aggregate(Gcd);
        foreach (var b in backends)
        {
            if (b.Weight <= 0) continue;
            IReadOnlyList<IPEndPoint> endpoints = b.Replicas ?? (b.Endpoint is { } e ? [e] : []);
            var copies = Math.Clamp(b.Weight / gcd, 1, MaxWeightCopies);
            foreach (var ep in endpoints)
            {
                if (!IPAddress.IsLoopback(ep.Address))
                {
                    problem = $"backend {b.Service}:{b.Port} endpoint {ep} is not a loopback address";
                    continue;
                }
                for (var c = 0; c < copies; c++)
                    result[$"{b.Service}:{b.Port}@{ep.Port}#{c}"] = new DestinationConfig { Address = $"http://{ep}/" };
            }
        }
        return result;
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
