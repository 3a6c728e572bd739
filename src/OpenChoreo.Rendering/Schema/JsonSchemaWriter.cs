using System.Text.Json.Nodes;

namespace OpenChoreo.Rendering.Schema;

/// <summary>Writes a <see cref="SchemaNode"/> as an OpenAPI v3 structural JSON Schema (what the API serves to UIs).</summary>
public static class JsonSchemaWriter
{
    public static JsonObject ToJsonSchema(SchemaNode node)
    {
        var o = new JsonObject { ["type"] = node.Type };
        if (node.Description is not null) o["description"] = node.Description;
        if (node.Properties is { } props)
        {
            var p = new JsonObject();
            foreach (var (k, v) in props) p[k] = ToJsonSchema(v);
            o["properties"] = p;
            if (node.Required.Count > 0) o["required"] = new JsonArray([.. node.Required.Select(r => (JsonNode)JsonValue.Create(r))]);
        }
        if (node.AdditionalProperties is { } ap) o["additionalProperties"] = ToJsonSchema(ap);
        if (node.Items is { } items) o["items"] = ToJsonSchema(items);
        if (node.HasDefault) o["default"] = node.Default?.DeepClone();
        if (node.Enum is { } e) o["enum"] = new JsonArray([.. e.Select(x => x?.DeepClone())]);
        if (node.Minimum is { } min) o["minimum"] = Number(min);
        if (node.Maximum is { } max) o["maximum"] = Number(max);
        if (node.ExclusiveMinimum) o["exclusiveMinimum"] = true;
        if (node.ExclusiveMaximum) o["exclusiveMaximum"] = true;
        if (node.MultipleOf is { } m) o["multipleOf"] = Number(m);
        if (node.MinItems is { } a) o["minItems"] = a;
        if (node.MaxItems is { } b) o["maxItems"] = b;
        if (node.UniqueItems) o["uniqueItems"] = true;
        if (node.MinLength is { } c) o["minLength"] = c;
        if (node.MaxLength is { } d) o["maxLength"] = d;
        if (node.MinProperties is { } f) o["minProperties"] = f;
        if (node.MaxProperties is { } g) o["maxProperties"] = g;
        if (node.Pattern is not null) o["pattern"] = node.Pattern;
        if (node.Example is not null) o["example"] = node.Example.DeepClone();
        return o;
    }

    private static JsonNode Number(double d) => double.IsInteger(d) && Math.Abs(d) < 9e15 ? JsonValue.Create((long)d) : JsonValue.Create(d);
}
