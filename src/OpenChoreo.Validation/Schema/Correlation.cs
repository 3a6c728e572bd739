using System.Text.Json.Nodes;

namespace OpenChoreo.Validation.Schema;

/// <summary>The old value at the same place as a new one on update, when one exists (Kubernetes "correlatable").</summary>
internal readonly record struct Correlation(bool Exists, JsonNode? Value)
{
    public static Correlation None => default;
}

/// <summary>
/// Finds the old element matching a new list element. Only keyed lists correlate: <c>map</c> lists by their key
/// fields and <c>set</c> lists by value; atomic lists do not, as in Kubernetes.
/// </summary>
internal static class ListCorrelation
{
    public static Correlation Find(JsonNode? item, JsonArray? old, Schema.SchemaNode list)
    {
        if (old is null) return Correlation.None;
        if (list.ListType == "map" && list.ListMapKeys.Count > 0 && item is JsonObject obj)
        {
            var key = KeyOf(obj, list.ListMapKeys);
            foreach (var o in old)
            {
                if (o is JsonObject oo && KeyOf(oo, list.ListMapKeys) == key) return new Correlation(true, o);
            }
        }
        else if (list.ListType == "set")
        {
            foreach (var o in old)
            {
                if (JsonTypes.DeepEquals(item, o)) return new Correlation(true, o);
            }
        }
        return Correlation.None;
    }

    /// <summary>The identity of a list-map element: the JSON object of its key fields.</summary>
    public static string KeyOf(JsonObject item, IReadOnlyList<string> keys)
    {
        var key = new JsonObject();
        foreach (var k in keys) key[k] = item[k]?.DeepClone();
        return key.ToJsonString();
    }
}
