using OpenChoreo.Runtime.Podman;

namespace OpenChoreo.Ingress.Tests;

/// <summary>TEST DOUBLE at the route-table boundary (the podman runtime's IRouteTable): routes set by the test.</summary>
internal sealed class StaticRouteTable : IRouteTable
{
    private volatile IReadOnlyList<RouteEntry> _routes = [];

    public IReadOnlyList<RouteEntry> Routes => _routes;

    public event Action? RoutesChanged;

    public void Set(params RouteEntry[] routes)
    {
        _routes = routes;
        RoutesChanged?.Invoke();
    }
}
