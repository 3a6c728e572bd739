using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenChoreo.Validation.Schema;

/// <summary>
/// Applies schema <c>default</c>s as the Kubernetes API server does for structural schemas: a missing field gets
/// its default only where its parent object exists; a null field that is not nullable is replaced by its default,
/// or removed when it has none; defaulted values are themselves defaulted.
/// </summary>
internal static class Defaulter
{
    public static void Apply(JsonNode? value, SchemaNode schema, int depth, int maxDepth)
    {
        if (depth > maxDepth || value is null) return;
        switch (value)
        {
            case JsonObject obj:
                ApplyToObject(obj, schema, depth, maxDepth);
                break;
            case JsonArray arr when schema.Items is { } items:
                foreach (var item in arr) Apply(item, items, depth + 1, maxDepth);
                break;
        }
    }

    private static void ApplyToObject(JsonObject obj, SchemaNode schema, int depth, int maxDepth)
    {
        if (schema.Properties is { } props)
        {
            foreach (var (name, prop) in props)
            {
                var present = obj.TryGetPropertyValue(name, out var child);
                var isNull = present && (child is null || child.GetValueKind() == JsonValueKind.Null);
                if (isNull && !prop.Nullable)
                {
                    obj.Remove(name);
                    present = false;
                }
                if (!present && prop.HasDefault)
                {
                    obj[name] = prop.Default?.DeepClone();
                }
            }
            foreach (var (name, child) in obj)
            {
                if (props.TryGetValue(name, out var prop)) Apply(child, prop, depth + 1, maxDepth);
            }
        }
        if (schema.AdditionalProperties is { } mapValue)
        {
            // Null map values are pruned or defaulted like fields.
            foreach (var key in obj.Where(kv => kv.Value is null && (schema.Properties is null || !schema.Properties.ContainsKey(kv.Key)))
                         .Select(kv => kv.Key).ToArray())
            {
                if (mapValue.Nullable) continue;
                if (mapValue.HasDefault) obj[key] = mapValue.Default?.DeepClone();
                else obj.Remove(key);
            }
            foreach (var (name, child) in obj)
            {
                if (schema.Properties is null || !schema.Properties.ContainsKey(name)) Apply(child, mapValue, depth + 1, maxDepth);
            }
        }
    }
}
