using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenChoreo.Model;

/// <summary>
/// A Kubernetes-style object held as its JSON tree, so every field of every kind round-trips exactly.
/// Typed accessors cover the envelope (apiVersion, kind, metadata) that the store and API act on.
/// </summary>
public sealed class ResourceObject
{
    public ResourceObject(JsonObject node) => Node = node;

    public JsonObject Node { get; }

    public string? ApiVersion
    {
        get => GetString(Node, "apiVersion");
        set => Node["apiVersion"] = value;
    }

    public string? Kind
    {
        get => GetString(Node, "kind");
        set => Node["kind"] = value;
    }

    /// <summary>The metadata object, created when absent.</summary>
    public JsonObject Metadata => Node["metadata"] as JsonObject ?? (JsonObject)(Node["metadata"] = new JsonObject());

    public string Name
    {
        get => GetString(Node["metadata"], "name") ?? "";
        set => Metadata["name"] = value;
    }

    /// <summary>The namespace (organization); empty for cluster-scoped objects.</summary>
    public string Namespace
    {
        get => GetString(Node["metadata"], "namespace") ?? "";
        set
        {
            if (string.IsNullOrEmpty(value)) Metadata.Remove("namespace");
            else Metadata["namespace"] = value;
        }
    }

    public string? Uid
    {
        get => GetString(Node["metadata"], "uid");
        set => Metadata["uid"] = value;
    }

    /// <summary>The store revision at which this object was last written, as a decimal string.</summary>
    public string? ResourceVersion
    {
        get => GetString(Node["metadata"], "resourceVersion");
        set
        {
            if (value is null) Metadata.Remove("resourceVersion");
            else Metadata["resourceVersion"] = value;
        }
    }

    public long Generation
    {
        get => Node["metadata"]?["generation"] is JsonValue v && v.TryGetValue<long>(out var g) ? g : 0;
        set => Metadata["generation"] = value;
    }

    public DateTimeOffset? CreationTimestamp
    {
        get => GetTime("creationTimestamp");
        set => SetTime("creationTimestamp", value);
    }

    public DateTimeOffset? DeletionTimestamp
    {
        get => GetTime("deletionTimestamp");
        set => SetTime("deletionTimestamp", value);
    }

    public IReadOnlyDictionary<string, string> Labels => GetStringMap("labels");

    public IReadOnlyDictionary<string, string> Annotations => GetStringMap("annotations");

    public IReadOnlyList<string> Finalizers =>
        Node["metadata"]?["finalizers"] is JsonArray a ? a.Select(f => f?.GetValue<string>() ?? "").ToArray() : [];

    public IReadOnlyList<OwnerReference> OwnerReferences =>
        Node["metadata"]?["ownerReferences"] is JsonArray a
            ? a.OfType<JsonObject>().Select(OwnerReference.FromJson).ToArray()
            : [];

    public JsonNode? Spec => Node["spec"];

    public JsonNode? Status => Node["status"];

    public void SetLabel(string key, string value) => GetOrCreateMap("labels")[key] = value;

    public void SetAnnotation(string key, string value) => GetOrCreateMap("annotations")[key] = value;

    public void SetFinalizers(IEnumerable<string> finalizers)
    {
        var list = finalizers.ToArray();
        if (list.Length == 0) Metadata.Remove("finalizers");
        else Metadata["finalizers"] = new JsonArray(list.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray());
    }

    public void SetOwnerReferences(IEnumerable<OwnerReference> owners)
    {
        var list = owners.ToArray();
        if (list.Length == 0) Metadata.Remove("ownerReferences");
        else Metadata["ownerReferences"] = new JsonArray(list.Select(o => (JsonNode?)o.ToJson()).ToArray());
    }

    /// <summary>A deep copy that shares nothing with this object.</summary>
    public ResourceObject DeepClone() => new((JsonObject)Node.DeepClone());

    public string ToJson() => Node.ToJsonString(KindRegistry.JsonOptions);

    public static ResourceObject Parse(string json) =>
        new(JsonNode.Parse(json) as JsonObject ?? throw new JsonException("an object was expected"));

    public static ResourceObject Parse(ReadOnlySpan<byte> utf8Json) =>
        new(JsonNode.Parse(utf8Json) as JsonObject ?? throw new JsonException("an object was expected"));

    public override string ToString() =>
        string.IsNullOrEmpty(Namespace) ? $"{Kind}/{Name}" : $"{Kind}/{Namespace}/{Name}";

    /// <summary>Formats a timestamp as Kubernetes does: RFC 3339 in UTC with second precision.</summary>
    public static string FormatTime(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private DateTimeOffset? GetTime(string field) =>
        GetString(Node["metadata"], field) is { } s &&
        DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : null;

    private void SetTime(string field, DateTimeOffset? value)
    {
        if (value is null) Metadata.Remove(field);
        else Metadata[field] = FormatTime(value.Value);
    }

    private IReadOnlyDictionary<string, string> GetStringMap(string field)
    {
        if (Node["metadata"]?[field] is not JsonObject o || o.Count == 0)
        {
            return EmptyMap;
        }
        var d = new Dictionary<string, string>(o.Count, StringComparer.Ordinal);
        foreach (var (k, v) in o)
        {
            d[k] = v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : v?.ToJsonString() ?? "";
        }
        return d;
    }

    private JsonObject GetOrCreateMap(string field) =>
        Metadata[field] as JsonObject ?? (JsonObject)(Metadata[field] = new JsonObject());

    private static string? GetString(JsonNode? parent, string field) =>
        parent is JsonObject o && o[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static readonly IReadOnlyDictionary<string, string> EmptyMap = new Dictionary<string, string>();
}
