using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Controllers;

/// <summary>Writes conditions to the status subresource only when they change (no write storms, no needless revisions).</summary>
internal static class StatusWriter
{
    /// <summary>Sets the conditions (and observedGeneration) and writes them if anything changed.</summary>
    public static Task<ResourceObject> SetAsync(IResourceStore store, ResourceObject obj, DateTimeOffset now,
        CancellationToken ct, params Condition[] conditions) => SetAsync(store, obj, now, [], ct, conditions);

    /// <summary>As above, and drops the conditions of types <paramref name="remove"/>.</summary>
    public static async Task<ResourceObject> SetAsync(IResourceStore store, ResourceObject obj, DateTimeOffset now, IReadOnlyList<string> remove,
        CancellationToken ct, params Condition[] conditions)
    {
        var changed = false;
        if (remove.Count > 0 && obj.Status?["conditions"] is System.Text.Json.Nodes.JsonArray list)
        {
            foreach (var gone in list.OfType<System.Text.Json.Nodes.JsonObject>().Where(c => remove.Contains((string?)c["type"] ?? "")).ToList())
            {
                list.Remove(gone);
                changed = true;
            }
        }
        foreach (var c in conditions) changed |= Conditions.Set(obj, c with { ObservedGeneration = obj.Generation }, now);
        var status = (System.Text.Json.Nodes.JsonObject)obj.Node["status"]!;
        if (status["observedGeneration"]?.GetValue<long>() != obj.Generation)
        {
            status["observedGeneration"] = obj.Generation;
            changed = true;
        }
        return changed ? await store.UpdateAsync(obj, UpdateScope.Status, ct) : obj;
    }
}
