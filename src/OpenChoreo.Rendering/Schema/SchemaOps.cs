using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenChoreo.Model;

namespace OpenChoreo.Rendering.Schema;

/// <summary>Defaulting, pruning and validation of values against a <see cref="SchemaNode"/> (Kubernetes structural semantics).</summary>
public static class SchemaOps
{
    /// <summary>
    /// Fills absent fields that have defaults (a copy of the default, whose own nested defaults then apply), recursing
    /// into present objects, maps and arrays. Returns the (possibly new) value; <paramref name="value"/> is modified in place.
    /// </summary>
    public static JsonNode? ApplyDefaults(JsonNode? value, SchemaNode schema)
    {
        switch (value)
        {
            case JsonObject obj when schema.IsObject:
                foreach (var (key, prop) in schema.Properties!)
                {
                    if (!obj.ContainsKey(key))
                    {
                        if (prop.HasDefault) obj[key] = ApplyDefaults(prop.Default?.DeepClone(), prop);
                    }
                    else
                    {
                        var current = obj[key];
                        var updated = ApplyDefaults(current, prop);
                        if (!ReferenceEquals(current, updated)) obj[key] = updated;
                    }
                }
                break;
            case JsonObject map when schema.IsMap:
                foreach (var key in map.Select(kv => kv.Key).ToList())
                {
                    var current = map[key];
                    var updated = ApplyDefaults(current, schema.AdditionalProperties!);
                    if (!ReferenceEquals(current, updated)) map[key] = updated;
                }
                break;
            case JsonArray arr when schema.Items is not null:
                for (int i = 0; i < arr.Count; i++)
                {
                    var current = arr[i];
                    var updated = ApplyDefaults(current, schema.Items);
                    if (!ReferenceEquals(current, updated)) arr[i] = updated;
                }
                break;
        }
        return value;
    }

    /// <summary>Removes fields that the schema does not declare (in place), recursively.</summary>
    public static void Prune(JsonNode? value, SchemaNode schema)
    {
        switch (value)
        {
            case JsonObject obj when schema.IsObject:
                foreach (var key in obj.Select(kv => kv.Key).ToList())
                {
                    if (schema.Properties!.TryGetValue(key, out var prop)) Prune(obj[key], prop);
                    else obj.Remove(key);
                }
                break;
            case JsonObject map when schema.IsMap:
                foreach (var kv in map) Prune(kv.Value, schema.AdditionalProperties!);
                break;
            case JsonArray arr when schema.Items is not null:
                foreach (var item in arr) Prune(item, schema.Items);
                break;
        }
    }

    /// <summary>Validates <paramref name="value"/>; each problem is added to <paramref name="errors"/> with its field path.</summary>
    public static void Validate(JsonNode? value, SchemaNode schema, string path, List<StatusCause> errors, bool requireFields = true)
    {
        if (value is null)
        {
            errors.Add(new StatusCause(path, CauseReasons.TypeInvalid, $"must be of type {schema.Type}, not null"));
            return;
        }
        var actual = KindOf(value);
        bool typeOk = schema.Type switch
        {
            "number" => actual is "integer" or "number",
            "integer" => actual == "integer",
            _ => actual == schema.Type,
        };
        if (!typeOk)
        {
            errors.Add(new StatusCause(path, CauseReasons.TypeInvalid, $"must be of type {schema.Type}, got {actual} {Show(value)}"));
            return;
        }
        if (schema.Enum is { } allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
            errors.Add(new StatusCause(path, CauseReasons.NotSupported,
                $"{Show(value)} is not one of the supported values: {string.Join(", ", allowed.Select(Show))}"));

        switch (value)
        {
            case JsonObject obj:
                if (schema.MinProperties is { } minP && obj.Count < minP)
                    errors.Add(new StatusCause(path, CauseReasons.Invalid, $"must have at least {minP} properties"));
                if (schema.MaxProperties is { } maxP && obj.Count > maxP)
                    errors.Add(new StatusCause(path, CauseReasons.TooMany, $"must have at most {maxP} properties"));
                if (schema.IsObject)
                {
                    if (requireFields)
                        foreach (var req in schema.Required)
                            if (!obj.ContainsKey(req))
                                errors.Add(new StatusCause(ShorthandSchema.Join(path, req), CauseReasons.Required, "required value"));
                    foreach (var (key, child) in obj)
                        if (schema.Properties!.TryGetValue(key, out var prop))
                            Validate(child, prop, ShorthandSchema.Join(path, key), errors, requireFields);
                }
                else if (schema.IsMap)
                {
                    foreach (var (key, child) in obj)
                        Validate(child, schema.AdditionalProperties!, ShorthandSchema.Join(path, key), errors, requireFields);
                }
                break;
            case JsonArray arr:
                if (schema.MinItems is { } minI && arr.Count < minI)
                    errors.Add(new StatusCause(path, CauseReasons.Invalid, $"must have at least {minI} items"));
                if (schema.MaxItems is { } maxI && arr.Count > maxI)
                    errors.Add(new StatusCause(path, CauseReasons.TooMany, $"must have at most {maxI} items"));
                if (schema.UniqueItems)
                    for (int i = 0; i < arr.Count; i++)
                        for (int j = 0; j < i; j++)
                            if (JsonNode.DeepEquals(arr[i], arr[j]))
                                errors.Add(new StatusCause($"{path}[{i}]", CauseReasons.Duplicate, $"duplicate of item {j}"));
                if (schema.Items is not null)
                    for (int i = 0; i < arr.Count; i++) Validate(arr[i], schema.Items, $"{path}[{i}]", errors, requireFields);
                break;
            case JsonValue v when actual == "string":
                {
                    var s = v.GetValue<string>();
                    int len = new StringInfo(s).LengthInTextElements;
                    if (schema.MinLength is { } minL && len < minL)
                        errors.Add(new StatusCause(path, CauseReasons.Invalid, $"must be at least {minL} characters long"));
                    if (schema.MaxLength is { } maxL && len > maxL)
                        errors.Add(new StatusCause(path, CauseReasons.TooLong, $"must be at most {maxL} characters long"));
                    if (schema.Pattern is { } p && !Regex.IsMatch(s, p, RegexOptions.None, TimeSpan.FromSeconds(1)))
                        errors.Add(new StatusCause(path, CauseReasons.Invalid, $"{Show(value)} does not match the pattern {p}"));
                    break;
                }
            case JsonValue v when actual is "integer" or "number":
                {
                    double d = ToDouble(v);
                    if (schema.Minimum is { } min && (schema.ExclusiveMinimum ? d <= min : d < min))
                        errors.Add(new StatusCause(path, CauseReasons.Invalid, $"must be {(schema.ExclusiveMinimum ? "greater than" : "greater than or equal to")} {Num(min)}"));
                    if (schema.Maximum is { } max && (schema.ExclusiveMaximum ? d >= max : d > max))
                        errors.Add(new StatusCause(path, CauseReasons.Invalid, $"must be {(schema.ExclusiveMaximum ? "less than" : "less than or equal to")} {Num(max)}"));
                    if (schema.MultipleOf is { } m && m != 0 && Math.Abs(Math.IEEERemainder(d, m)) > 1e-9)
                        errors.Add(new StatusCause(path, CauseReasons.Invalid, $"must be a multiple of {Num(m)}"));
                    break;
                }
        }
    }

    /// <summary>Prunes, defaults and validates a copy of <paramref name="value"/> (an absent value counts as an empty map).</summary>
    public static JsonObject Normalize(JsonObject? value, SchemaNode schema, string path, List<StatusCause> errors)
    {
        var copy = (JsonObject?)value?.DeepClone() ?? new JsonObject();
        Prune(copy, schema);
        ApplyDefaults(copy, schema);
        Validate(copy, schema, path, errors);
        return copy;
    }

    internal static string KindOf(JsonNode node) => node switch
    {
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v when v.TryGetValue(out string? _) => "string",
        JsonValue v when v.TryGetValue(out bool _) => "boolean",
        JsonValue v when v.TryGetValue(out long _) || v.TryGetValue(out int _) => "integer",
        JsonValue v when v.TryGetValue(out double d) => double.IsInteger(d) && v.ToJsonString().IndexOfAny(['.', 'e', 'E']) < 0 ? "integer" : "number",
        JsonValue v => v.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => "string",
            System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => "boolean",
            System.Text.Json.JsonValueKind.Number => v.ToJsonString().IndexOfAny(['.', 'e', 'E']) < 0 ? "integer" : "number",
            _ => "null",
        },
        _ => "null",
    };

    private static double ToDouble(JsonValue v)
    {
        if (v.TryGetValue(out long l)) return l;
        if (v.TryGetValue(out int i)) return i;
        if (v.TryGetValue(out double d)) return d;
        return double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture);
    }

    private static string Show(JsonNode? n)
    {
        var s = n?.ToJsonString() ?? "null";
        return s.Length > 80 ? s[..77] + "..." : s;
    }

    private static string Num(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}
