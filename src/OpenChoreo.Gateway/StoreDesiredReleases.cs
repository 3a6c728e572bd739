using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Store;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Gateway;

/// <summary>
/// Desired releases read from the store: the Releases in the plane's organization namespace labelled with the plane
/// (<c>openchoreo.dev/dataplane: &lt;plane&gt;</c>, or <c>openchoreo.dev/observabilityplane: &lt;plane&gt;</c> for an
/// observability plane) that are not being deleted. Build planes run no releases; for them the desired state is
/// unknown (resync leaves them alone).
/// </summary>
public sealed class StoreDesiredReleases(IResourceStore store) : IDesiredReleases
{
    public const string Kind = "Release";

    public async Task<IReadOnlyList<ApplyReleaseRequest>?> GetAsync(PlaneIdentity plane, CancellationToken ct)
    {
        if (!ReleasePlane.Delivers(plane.PlaneType)) return null;
        var list = await store.ListAsync(OfPlane(plane), ct).ConfigureAwait(false);
        return [.. list.Items.Where(r => r.DeletionTimestamp is null).Select(ToRequest)];
    }

    /// <summary>Every Release of a data or observability plane, deleting ones included.</summary>
    public static ListOptions OfPlane(PlaneIdentity plane) =>
        new(Kind, plane.Organization) { Filter = r => IsOf(r, plane) };

    public static bool IsOf(ResourceObject release, PlaneIdentity plane) =>
        release.Namespace == plane.Organization && ReleasePlane.Targets(release, plane.PlaneType, plane.PlaneName);

    /// <summary>
    /// What the agent receives: the plain manifests of <c>spec.resources[].object</c>, each carrying the tracking labels
    /// (managed-by, release name/namespace/uid, resource id) so a runtime can adopt, prune and report per resource.
    /// </summary>
    public static ApplyReleaseRequest ToRequest(ResourceObject release) => new()
    {
        Name = release.Name,
        Generation = release.Generation,
        Checksum = ReleaseChecksum.Of(release),
        Resources = [.. (release.Spec?["resources"] as JsonArray ?? []).OfType<JsonObject>().Select(r => (JsonNode)Tracked(release, r))],
    };

    private static JsonObject Tracked(ResourceObject release, JsonObject entry)
    {
        var obj = entry["object"] is JsonObject o ? (JsonObject)o.DeepClone() : new JsonObject();
        var metadata = obj["metadata"] as JsonObject ?? (JsonObject)(obj["metadata"] = new JsonObject());
        var labels = metadata["labels"] as JsonObject ?? (JsonObject)(metadata["labels"] = new JsonObject());
        labels[Labels.ManagedBy] = "openchoreo-release";
        labels[Labels.ReleaseName] = release.Name;
        labels[Labels.ReleaseNamespace] = release.Namespace;
        labels[Labels.ReleaseUid] = release.Uid;
        if ((string?)entry["id"] is { Length: > 0 } id) labels[Labels.ReleaseResourceId] = id;
        return obj;
    }
}
