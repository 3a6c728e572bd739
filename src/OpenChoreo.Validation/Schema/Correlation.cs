using System.Text.Json.Nodes;

namespace OpenChoreo.Validation.Schema;

/// <summary>The old value at the same place as a new one on update, when one exists (Kubernetes "correlatable").</summary>
internal readonly record struct Correlation(bool Exists, JsonNode? Value)
{
    public static Correlation None => default;
}

/// <summary>
/// Finds the old element matching a new list element. Only keyed lists correlate: <c>map</c> lists by their key
/// fields and <c>set</c> lists by value; atomic lists do not, as in Kubernetes. The old list is indexed once, so
/// correlating a whole list is linear.
/// </summary>
internal sealed class ListCorrelation
{
    private static readonly ListCorrelation Empty = new(null, null);

    private readonly Dictionary<string, JsonNode?>? _byKey;
    private readonly SchemaNode? _list;

    private ListCorrelation(Dictionary<string, JsonNode?>? byKey, SchemaNode? list)
    {
        _byKey = byKey;
        _list = list;
    }

    public static ListCorrelation For(JsonArray? old, SchemaNode list)
    {
        if (old is null || !IsKeyed(list)) return Empty;
        var byKey = new Dictionary<string, JsonNode?>(old.Count, StringComparer.Ordinal);
        foreach (var o in old)
        {
            if (IdentityOf(o, list) is { } key) byKey.TryAdd(key, o);
        }
        return new ListCorrelation(byKey, list);
    }

    public Correlation Find(JsonNode? item) =>
        _byKey is not null && IdentityOf(item, _list!) is { } key && _byKey.TryGetValue(key, out var o)
            ? new Correlation(true, o)
            : Correlation.None;

    private static bool IsKeyed(SchemaNode list) =>
        list.ListType == "set" || (list.ListType == "map" && list.ListMapKeys.Count > 0);

    private static string? IdentityOf(JsonNode? item, SchemaNode list) =>
        list.ListType == "map"
            ? item is JsonObject obj ? KeyOf(obj, list.ListMapKeys) : null
            : JsonTypes.CanonicalKey(item);

    /// <summary>The identity of a list-map element: the JSON object of its key fields.</summary>
    public static string KeyOf(JsonObject item, IReadOnlyList<string> keys)
    {
        var key = new JsonObject();
        foreach (var k in keys) key[k] = item[k]?.DeepClone();
        return key.ToJsonString();
    }
}
