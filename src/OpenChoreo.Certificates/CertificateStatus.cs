using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Certificates;

/// <summary>Writes a Certificate's or issuer's status only when it changes (no write storms, no needless revisions).</summary>
internal static class CertificateStatus
{
    /// <summary>Sets the Ready condition, observedGeneration and the given fields (null removes one); writes on change.</summary>
    public static async Task<ResourceObject> SetAsync(IResourceStore store, ResourceObject obj, DateTimeOffset now, Condition ready,
        IReadOnlyDictionary<string, JsonNode?>? fields, CancellationToken ct)
    {
        if (obj.Node["status"] is not JsonObject) obj.Node["status"] = new JsonObject();
        var status = (JsonObject)obj.Node["status"]!;
        var before = status.ToJsonString();
        Conditions.Set(obj, ready with { ObservedGeneration = obj.Generation }, now);
        status["observedGeneration"] = obj.Generation;
        foreach (var (k, v) in fields ?? new Dictionary<string, JsonNode?>())
        {
            if (v is null) status.Remove(k);
            else status[k] = v.DeepClone();
        }
        return status.ToJsonString() == before ? obj : await store.UpdateAsync(obj, UpdateScope.Status, ct);
    }

    public static long Long(ResourceObject o, string field) =>
        o.Status?[field] is JsonValue v && v.TryGetValue<long>(out var n) ? n : 0;

    public static DateTimeOffset? Time(ResourceObject o, string field) =>
        o.Status?[field] is JsonValue v && v.TryGetValue<string>(out var s) && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    public static long ObservedGeneration(ResourceObject o) => Long(o, "observedGeneration");
}
