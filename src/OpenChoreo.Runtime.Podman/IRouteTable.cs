using System.Net;

namespace OpenChoreo.Runtime.Podman;

/// <summary>The HTTPRoutes of the releases a runtime holds, resolved to 127.0.0.1 endpoints: what the ingress gateway serves.</summary>
public interface IRouteTable
{
    IReadOnlyList<RouteEntry> Routes { get; }

    /// <summary>Raised when a route or one of its backends' endpoints changes.</summary>
    event Action? RoutesChanged;
}

public sealed record RouteEntry(string Release, string Namespace, string Name, IReadOnlyList<string> Hostnames, IReadOnlyList<RouteRule> Rules);

public sealed record RouteRule(IReadOnlyList<RoutePathMatch> Matches, IReadOnlyList<RouteBackend> Backends);

/// <summary>Type is PathPrefix, Exact or RegularExpression (Gateway API names).</summary>
public sealed record RoutePathMatch(string Type, string Value);

/// <summary>A backend Service port; <see cref="Endpoint"/> is its 127.0.0.1 relay, null while the Service is unknown.</summary>
public sealed record RouteBackend(string Service, int Port, int Weight, IPEndPoint? Endpoint);
