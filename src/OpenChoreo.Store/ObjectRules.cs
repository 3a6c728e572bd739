using System.Globalization;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Store;

/// <summary>
/// The Kubernetes-like write rules every back end shares (metadata on create, update preconditions, generation,
/// status subresource, finalizers). Pure functions of the stored row, the input and the next revision.
/// </summary>
public static class ObjectRules
{
    public const string ModifiedMessage =
        "the object has been modified; please apply your changes to the latest version and try again";

    public static WriteDecision PlanCreate(ResourceObject input, StoredObject? current, long revision, DateTimeOffset now)
    {
        var key = KeyOf(input);
        if (current is not null) throw ApiException.AlreadyExists(key.Kind, key.Name);

        var obj = input.DeepClone();
        var meta = obj.Metadata;
        // Server-owned fields: whatever the client sent is replaced.
        meta["uid"] = Guid.NewGuid().ToString();
        obj.CreationTimestamp = now;
        obj.Generation = 1;
        obj.ResourceVersion = Format(revision);
        meta.Remove("deletionTimestamp");
        meta.Remove("deletionGracePeriodSeconds");
        return Write(WriteAction.Insert, WatchEventType.Added, obj, key, revision, prevLabelsJson: null);
    }

    public static WriteDecision PlanUpdate(ResourceObject input, UpdateScope scope, StoredObject? current, long revision)
    {
        var key = KeyOf(input);
        if (current is null) throw ApiException.NotFound(key.Kind, key.Name, key.Namespace);
        var stored = ResourceObject.Parse(current.Data);

        if (!string.IsNullOrEmpty(input.ResourceVersion) && input.ResourceVersion != stored.ResourceVersion)
        {
            throw ApiException.Conflict(key.Kind, key.Name, ModifiedMessage);
        }

        ResourceObject next;
        if (scope == UpdateScope.Status)
        {
            next = stored.DeepClone();
            SetOrRemove(next.Node, "status", input.Status?.DeepClone());
        }
        else
        {
            if (!string.IsNullOrEmpty(input.Uid) && input.Uid != stored.Uid)
            {
                throw ApiException.Invalid(key.Kind, key.Name,
                    [new StatusCause("metadata.uid", CauseReasons.Invalid, $"Invalid value: \"{input.Uid}\": field is immutable")]);
            }
            next = input.DeepClone();
            SetOrRemove(next.Node, "status", stored.Status?.DeepClone());
            // Server-owned metadata always comes from the stored object.
            var meta = next.Metadata;
            var storedMeta = stored.Metadata;
            foreach (var field in ServerOwnedMetadata)
            {
                SetOrRemove(meta, field, storedMeta[field]?.DeepClone());
            }
            if (stored.DeletionTimestamp is not null)
            {
                var added = next.Finalizers.Except(stored.Finalizers, StringComparer.Ordinal).ToArray();
                if (added.Length > 0)
                {
                    throw ApiException.Invalid(key.Kind, key.Name,
                        [new StatusCause("metadata.finalizers", CauseReasons.Forbidden,
                            $"Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers [{string.Join(" ", added)}]")]);
                }
            }
            if (SpecChanged(stored.Node, next.Node)) next.Generation = stored.Generation + 1;
        }

        if (JsonNode.DeepEquals(stored.Node, next.Node)) return WriteDecision.Unchanged(stored);

        next.ResourceVersion = Format(revision);
        if (next.DeletionTimestamp is not null && next.Finalizers.Count == 0)
        {
            return Write(WriteAction.Delete, WatchEventType.Deleted, next, key, revision, current.LabelsJson);
        }
        return Write(WriteAction.Update, WatchEventType.Modified, next, key, revision, current.LabelsJson);
    }

    public static WriteDecision PlanDelete(ResourceKey key, string? expectedUid, string? expectedResourceVersion,
        StoredObject? current, long revision, DateTimeOffset now)
    {
        if (current is null) return WriteDecision.Unchanged(null);
        if (!string.IsNullOrEmpty(expectedUid) && expectedUid != current.Uid)
        {
            throw ApiException.Conflict(key.Kind, key.Name,
                $"Precondition failed: UID in precondition: {expectedUid}, UID in object meta: {current.Uid}");
        }
        if (!string.IsNullOrEmpty(expectedResourceVersion) && expectedResourceVersion != Format(current.Revision))
        {
            throw ApiException.Conflict(key.Kind, key.Name,
                $"Precondition failed: ResourceVersion in precondition: {expectedResourceVersion}, ResourceVersion in object meta: {current.Revision}");
        }
        var obj = ResourceObject.Parse(current.Data);
        if (obj.DeletionTimestamp is not null) return WriteDecision.Unchanged(obj);

        obj.ResourceVersion = Format(revision);
        if (obj.Finalizers.Count > 0)
        {
            // As Kubernetes does for graceful deletion: mark, and bump generation so controllers notice.
            obj.DeletionTimestamp = now;
            obj.Generation += 1;
            return Write(WriteAction.Update, WatchEventType.Modified, obj, key, revision, current.LabelsJson);
        }
        return Write(WriteAction.Delete, WatchEventType.Deleted, obj, key, revision, current.LabelsJson);
    }

    /// <summary>Builds the row a back end stores for <paramref name="obj"/>.</summary>
    public static StoredObject ToRow(ResourceObject obj, ResourceKey key, long revision)
    {
        var meta = obj.Metadata;
        var labels = meta["labels"] is JsonObject l && l.Count > 0 ? l.ToJsonString() : null;
        string? owners = null;
        if (meta["ownerReferences"] is JsonArray refs && refs.Count > 0)
        {
            owners = string.Join(' ', refs.OfType<JsonObject>()
                .Select(r => r["uid"] is JsonValue v && v.TryGetValue<string>(out var u) ? u : "")
                .Where(u => u.Length > 0));
            if (owners.Length == 0) owners = null;
        }
        return new StoredObject(key, obj.Uid ?? "", revision, labels, owners, obj.ToJson());
    }

    public static string Format(long revision) => revision.ToString(CultureInfo.InvariantCulture);

    private static WriteDecision Write(WriteAction action, WatchEventType type, ResourceObject obj, ResourceKey key,
        long revision, string? prevLabelsJson)
    {
        var row = ToRow(obj, key, revision);
        var ev = new EventRecord(revision, type, key, row.LabelsJson,
            type == WatchEventType.Modified ? prevLabelsJson : null, row.Data);
        return new WriteDecision(action, obj, action == WriteAction.Delete ? null : row, ev);
    }

    private static ResourceKey KeyOf(ResourceObject obj)
    {
        var key = ResourceKey.Of(obj);
        if (key.Kind.Length == 0) throw ApiException.BadRequest("kind is required");
        if (key.Name.Length == 0) throw ApiException.BadRequest("metadata.name is required");
        return key;
    }

    /// <summary>True when anything outside metadata and status differs (what Kubernetes bumps generation for).</summary>
    private static bool SpecChanged(JsonObject a, JsonObject b)
    {
        foreach (var (name, value) in a)
        {
            if (name is "metadata" or "status") continue;
            if (!b.TryGetPropertyValue(name, out var other) || !JsonNode.DeepEquals(value, other)) return true;
        }
        foreach (var (name, _) in b)
        {
            if (name is "metadata" or "status") continue;
            if (!a.ContainsKey(name)) return true;
        }
        return false;
    }

    private static void SetOrRemove(JsonObject target, string field, JsonNode? value)
    {
        if (value is null) target.Remove(field);
        else target[field] = value;
    }

    private static readonly string[] ServerOwnedMetadata =
        ["uid", "creationTimestamp", "generation", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"];
}
