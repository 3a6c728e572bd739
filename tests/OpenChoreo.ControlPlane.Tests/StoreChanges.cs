using OpenChoreo.Store;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>
/// What was written to a store after a revision, named. Leases are left out: a cluster-gateway replica renews its
/// presence Lease on a timer even with the controllers off, so the bare revision is not a reliable "nothing changed".
/// </summary>
public static class StoreChanges
{
    public static async Task<string[]> SinceAsync(IResourceStore store, long revision, CancellationToken ct)
    {
        var now = await store.GetRevisionAsync(ct);
        if (now == revision) return [];
        var changes = new List<string>();
        await foreach (var e in store.WatchAsync(new ListOptions(ListOptions.AllKinds), revision, ct))
        {
            if (e.Object.Kind != "Lease") changes.Add($"{e.Type} {e.Object.Kind}/{e.Object.Namespace}/{e.Object.Name}");
            if (e.ResourceVersion >= now) break;
        }
        return [.. changes];
    }
}
