using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Rendering.Pipeline;

/// <summary>The planes a rendered resource can be delivered to.</summary>
public static class TargetPlanes
{
    public const string DataPlane = "dataplane";
    public const string ObservabilityPlane = "observabilityplane";
}

/// <summary>One rendered manifest: its id (<c>lower(kind)-name</c>, ≤ 63 chars), target plane and object.</summary>
public sealed record RenderedResource(string Id, string TargetPlane, JsonObject Object)
{
    public string Kind => (string?)Object["kind"] ?? "";
    public string ApiVersion => (string?)Object["apiVersion"] ?? "";
    public string Name => (string?)Object["metadata"]?["name"] ?? "";
    public string Namespace => (string?)Object["metadata"]?["namespace"] ?? "";
}

/// <summary>The outcome of a render: the sorted manifests, or the errors (never both).</summary>
public sealed record RenderResult(IReadOnlyList<RenderedResource> Resources, IReadOnlyList<StatusCause> Errors)
{
    public bool Succeeded => Errors.Count == 0;

    /// <summary>Resources for the environment's data plane.</summary>
    public IEnumerable<RenderedResource> DataPlaneResources => Resources.Where(r => r.TargetPlane == TargetPlanes.DataPlane);

    /// <summary>Resources for the linked observability plane (upstream drops them; we deliver them).</summary>
    public IEnumerable<RenderedResource> ObservabilityPlaneResources => Resources.Where(r => r.TargetPlane == TargetPlanes.ObservabilityPlane);

    internal static RenderResult Failed(IEnumerable<StatusCause> errors) => new([], [.. errors]);
}
