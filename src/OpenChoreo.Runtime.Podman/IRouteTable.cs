using System.Net;

namespace OpenChoreo.Runtime.Podman;

/// <summary>The HTTPRoutes of the releases a runtime holds, resolved to 127.0.0.1 endpoints: what the ingress gateway serves.</summary>
public interface IRouteTable
{
    IReadOnlyList<RouteEntry> Routes { get; }

    /// <summary>Raised when a route or one of its backends' endpoints changes.</summary>
    event Action? RoutesChanged;
}

/// <param name="Labels">The HTTPRoute's labels (component, environment, project) for the gateway's access log.</param>
public sealed record RouteEntry(string Release, string Namespace, string Name, IReadOnlyList<string> Hostnames, IReadOnlyList<RouteRule> Rules,
    IReadOnlyDictionary<string, string>? Labels = null);

/// <param name="Matches">Any one matches (OR); none means every request (Gateway API: PathPrefix "/").</param>
/// <param name="Rewrite">The rule's URLRewrite filter, if any.</param>
public sealed record RouteRule(IReadOnlyList<RoutePathMatch> Matches, IReadOnlyList<RouteBackend> Backends, RouteRewrite? Rewrite = null);

/// <summary>One Gateway API match: Type is PathPrefix, Exact or RegularExpression (Gateway API names); headers and method
/// must all match too.</summary>
public sealed record RoutePathMatch(string Type, string Value, IReadOnlyList<RouteHeaderMatch>? Headers = null, string? Method = null);

/// <summary>A header match; Type is Exact or RegularExpression (Gateway API names).</summary>
public sealed record RouteHeaderMatch(string Name, string Value, string Type = "Exact");

/// <summary>The URLRewrite filter: a new Host header and/or a path rewrite (PathType ReplacePrefixMatch or ReplaceFullPath).</summary>
public sealed record RouteRewrite(string? Hostname, string? PathType, string? PathValue);

/// <summary>A backend Service port; <see cref="Endpoint"/> is its 127.0.0.1 relay, null while the Service is unknown;
/// <see cref="Replicas"/> are the ready replicas' published 127.0.0.1 ports (null when the runtime does not know them).</summary>
public sealed record RouteBackend(string Service, int Port, int Weight, IPEndPoint? Endpoint, IReadOnlyList<IPEndPoint>? Replicas = null);
