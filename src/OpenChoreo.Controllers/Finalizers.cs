using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Controllers;

/// <summary>Adds and removes one finalizer through a main-resource update (409 on a concurrent write, like any update).</summary>
internal static class Finalizers
{
    /// <summary>Adds <paramref name="name"/> unless present; returns the object as stored.</summary>
    public static async Task<ResourceObject> EnsureAsync(IResourceStore store, ResourceObject obj, string name, CancellationToken ct)
    {
        if (obj.Finalizers.Contains(name)) return obj;
        obj.SetFinalizers([.. obj.Finalizers, name]);
        return await store.UpdateAsync(obj, UpdateScope.Main, ct);
    }

    /// <summary>Removes <paramref name="name"/>; with no finalizer left, a deleting object goes away.</summary>
    public static async Task RemoveAsync(IResourceStore store, ResourceObject obj, string name, CancellationToken ct)
    {
        if (!obj.Finalizers.Contains(name)) return;
        obj.SetFinalizers(obj.Finalizers.Where(f => f != name));
        await store.UpdateAsync(obj, UpdateScope.Main, ct);
    }

    /// <summary>
    /// Deletes every object of <paramref name="kind"/> in <paramref name="ns"/> that matches and is not already being
    /// deleted (guarded by uid); returns how many still exist, deleting or not.
    /// </summary>
    public static async Task<int> DeleteAllAsync(IResourceStore store, string kind, string ns, Func<ResourceObject, bool> match, CancellationToken ct)
    {
        var items = (await store.ListAsync(new ListOptions(kind, ns) { Filter = match }, ct)).Items;
        var remaining = 0;
        foreach (var o in items)
        {
            if (o.DeletionTimestamp is not null)
            {
                remaining++;
                continue;
            }
            try
            {
                if (await store.DeleteAsync(ResourceKey.Of(o), expectedUid: o.Uid, ct: ct) is { } left && left.DeletionTimestamp is not null) remaining++;
            }
            catch (ApiException e) when (e.Code == 409)
            {
                remaining++; // replaced by a new object of the same name: the next pass looks at it
            }
        }
        return remaining;
    }
}
