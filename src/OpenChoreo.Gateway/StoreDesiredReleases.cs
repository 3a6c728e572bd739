using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Store;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Gateway;

/// <summary>
/// Desired releases read from the store: the Releases in the plane's organization namespace labelled
/// <c>openchoreo.dev/dataplane: &lt;plane&gt;</c> that are not being deleted. Only data planes run releases; for other
/// plane types the desired state is unknown (resync leaves them alone).
/// </summary>
public sealed class StoreDesiredReleases(IResourceStore store) : IDesiredReleases
{
    public const string Kind = "Release";

    public async Task<IReadOnlyList<ApplyReleaseRequest>?> GetAsync(PlaneIdentity plane, CancellationToken ct)
    {
        if (plane.PlaneType != "dataplane") return null;
        var list = await store.ListAsync(OfPlane(plane), ct).ConfigureAwait(false);
        return [.. list.Items.Where(r => r.DeletionTimestamp is null).Select(ToRequest)];
    }

    /// <summary>Every Release of a data plane, deleting ones included.</summary>
    public static ListOptions OfPlane(PlaneIdentity plane) =>
        new(Kind, plane.Organization) { Filter = r => IsOf(r, plane) };

    public static bool IsOf(ResourceObject release, PlaneIdentity plane) =>
        plane.PlaneType == "dataplane" && release.Namespace == plane.Organization &&
        release.Labels.TryGetValue(Labels.DataPlane, out var p) && p == plane.PlaneName;

    public static ApplyReleaseRequest ToRequest(ResourceObject release) => new()
    {
        Name = release.Name,
        Generation = release.Generation,
        Checksum = ReleaseChecksum.Of(release),
        Resources = release.Spec?["resources"] is JsonArray a ? (JsonArray)a.DeepClone() : [],
    };
}
