using System.Text.Json.Nodes;

namespace OpenChoreo.Validation.Schema;

/// <summary>
/// Removes fields a structural schema does not declare (Kubernetes pruning), for requests that ask for
/// <c>fieldValidation=Ignore</c> or <c>Warn</c> instead of strict rejection. Returns the removed paths.
/// </summary>
internal static class Pruner
{
    public static void Prune(JsonNode? value, SchemaNode schema, FieldPath path, int depth, int maxDepth, List<string> removed)
    {
        var preservesEverything = schema.PreserveUnknownFields && schema.Properties is null &&
                                  schema.AdditionalProperties is null && schema.Items is null;
        if (depth > maxDepth || value is null || preservesEverything)
        {
            return;
        }
        switch (value)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(kv => kv.Key).ToArray())
                {
                    if (schema.Properties is not null && schema.Properties.TryGetValue(key, out var prop))
                    {
                        Prune(obj[key], prop, path.Child(key), depth + 1, maxDepth, removed);
                    }
                    else if (schema.AdditionalProperties is { } mapValue)
                    {
                        Prune(obj[key], mapValue, path.Key(key), depth + 1, maxDepth, removed);
                    }
                    else if (schema.EmbeddedResource && key is "apiVersion" or "kind")
                    {
                        // part of the embedded object's envelope
                    }
                    else if (schema.EmbeddedResource && key is "metadata")
                    {
                        PruneMetadata(obj[key], path.Child(key), removed);
                    }
                    else if (!schema.PreserveUnknownFields && !schema.AdditionalPropertiesAllowed)
                    {
                        obj.Remove(key);
                        removed.Add(path.Child(key).ToString());
                    }
                }
                break;
            case JsonArray arr when schema.Items is { } items:
                for (var i = 0; i < arr.Count; i++) Prune(arr[i], items, path.Index(i), depth + 1, maxDepth, removed);
                break;
        }
    }

    public static void PruneMetadata(JsonNode? metadata, FieldPath path, List<string> removed)
    {
        if (metadata is not JsonObject meta) return;
        foreach (var key in meta.Select(kv => kv.Key).ToArray())
        {
            if (!MetadataValidator.IsKnownField(key))
            {
                meta.Remove(key);
                removed.Add(path.Child(key).ToString());
            }
        }
    }
}
