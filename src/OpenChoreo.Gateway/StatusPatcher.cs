using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Gateway;

/// <summary>Read-modify-write of an object's status subresource with optimistic concurrency (retries on 409).</summary>
internal static class StatusPatcher
{
    /// <summary><paramref name="mutate"/> returns false to write nothing. Returns false when the object is gone.</summary>
    public static async Task<bool> PatchAsync(IResourceStore store, ResourceKey key, Func<ResourceObject, JsonObject, bool> mutate, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var obj = await store.GetAsync(key, ct).ConfigureAwait(false);
            if (obj is null) return false;
            if (obj.Node["status"] is not JsonObject status) obj.Node["status"] = status = new JsonObject();
            if (!mutate(obj, status)) return true;
            try
            {
                await store.UpdateAsync(obj, UpdateScope.Status, ct).ConfigureAwait(false);
                return true;
            }
            catch (ApiException e) when (e.Code == 409 && attempt < 20)
            {
            }
            catch (ApiException e) when (e.Code == 404)
            {
                return false;
            }
        }
    }
}
