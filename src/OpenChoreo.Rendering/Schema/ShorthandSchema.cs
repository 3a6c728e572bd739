using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Rendering.Schema;

/// <summary>
/// Converts OpenChoreo's shorthand schemas (<c>"integer | default=1 minimum=0"</c>, nested maps with <c>$default</c>,
/// custom <c>types</c>) into a structural schema. Errors carry the field path of the offending declaration.
/// </summary>
public static class ShorthandSchema
{
    private const int MaxTypeDepth = 32;

    /// <summary>
    /// Parses the fields of one schema section (<c>parameters</c>, <c>envOverrides</c>…) as an object schema.
    /// <paramref name="types"/> holds the custom type definitions; <paramref name="path"/> prefixes error fields.
    /// </summary>
    public static SchemaNode Parse(JsonNode? section, JsonObject? types, string path, List<StatusCause> errors)
    {
        if (section is null) return SchemaNode.EmptyObject();
        if (section is not JsonObject fields)
        {
            errors.Add(new StatusCause(path, CauseReasons.TypeInvalid, "a schema section must be a map of field declarations"));
            return SchemaNode.EmptyObject();
        }
        var parser = new Parser(types, errors);
        var node = parser.ParseObject(fields, path, 0);
        return node;
    }

    /// <summary>Parses and reports whether the section is valid.</summary>
    public static bool TryParse(JsonNode? section, JsonObject? types, string path, out SchemaNode schema, out List<StatusCause> errors)
    {
        errors = [];
        schema = Parse(section, types, path, errors);
        return errors.Count == 0;
    }

    private sealed class Parser(JsonObject? types, List<StatusCause> errors)
    {
        private readonly Dictionary<string, SchemaNode> _resolved = new(StringComparer.Ordinal);
        private readonly HashSet<string> _resolving = new(StringComparer.Ordinal);

        public SchemaNode ParseObject(JsonObject fields, string path, int depth)
        {
            var props = new Dictionary<string, SchemaNode>(StringComparer.Ordinal);
            var required = new List<string>();
            JsonNode? objectDefault = null;
            bool hasDefault = false;
            foreach (var (key, value) in fields)
            {
                if (key == "$default")
                {
                    objectDefault = value?.DeepClone();
                    hasDefault = true;
                    continue;
                }
                var child = ParseField(value, Join(path, key), depth + 1);
                props[key] = child;
                if (!child.HasDefault) required.Add(key);
            }
            var node = new SchemaNode { Type = "object", Properties = props, Required = required };
            if (hasDefault)
            {
                node.Default = objectDefault;
                node.HasDefault = true;
                CheckDefault(node, Join(path, "$default"));
            }
            return node;
        }

        private SchemaNode ParseField(JsonNode? value, string path, int depth)
        {
            if (depth > MaxTypeDepth)
            {
                errors.Add(new StatusCause(path, CauseReasons.Invalid, $"schema nesting deeper than {MaxTypeDepth} levels"));
                return SchemaNode.EmptyObject();
            }
            switch (value)
            {
                case JsonObject o:
                    return ParseObject(o, path, depth);
                case JsonValue v when v.TryGetValue(out string? s):
                    return ParseShorthand(s!, path, depth);
                default:
                    errors.Add(new StatusCause(path, CauseReasons.TypeInvalid,
                        "a field declaration must be a shorthand string (\"<type> | marker=value\") or a nested map"));
                    return new SchemaNode { Type = "string" };
            }
        }

        private SchemaNode ParseShorthand(string text, string path, int depth)
        {
            int bar = IndexOfTopLevelBar(text);
            var typeText = (bar < 0 ? text : text[..bar]).Trim();
            var markerText = bar < 0 ? "" : text[(bar + 1)..];
            if (typeText.Length == 0)
            {
                errors.Add(new StatusCause(path, CauseReasons.Required, "the type is missing"));
                return new SchemaNode { Type = "string" };
            }
            var node = ParseType(typeText, path, depth);
            if (node is null) return new SchemaNode { Type = "string" };
            node = node.CloneShallow();
            // A reused custom type carries its own default only when the field does not set one.
            ApplyMarkers(node, markerText, path);
            if (node.HasDefault) CheckDefault(node, path);
            return node;
        }

        private static int IndexOfTopLevelBar(string s)
        {
            // The first '|' separates type from markers; types never contain one.
            return s.IndexOf('|');
        }

        private SchemaNode? ParseType(string t, string path, int depth)
        {
            if (depth > MaxTypeDepth)
            {
                errors.Add(new StatusCause(path, CauseReasons.Invalid, $"type nesting deeper than {MaxTypeDepth} levels"));
                return null;
            }
            t = t.Trim();
            switch (t)
            {
                case "string" or "integer" or "number" or "boolean":
                    return new SchemaNode { Type = t };
                case "object":
                    errors.Add(new StatusCause(path, CauseReasons.NotSupported,
                        "bare type \"object\" is not allowed: declare the fields as a nested map, or use map<T>"));
                    return null;
            }
            if (t.StartsWith("[]", StringComparison.Ordinal))
            {
                var item = ParseType(t[2..], path, depth + 1);
                return item is null ? null : new SchemaNode { Type = "array", Items = item };
            }
            if (t.StartsWith("array<", StringComparison.Ordinal) && t.EndsWith('>'))
            {
                var item = ParseType(t[6..^1], path, depth + 1);
                return item is null ? null : new SchemaNode { Type = "array", Items = item };
            }
            if (t.StartsWith("map<", StringComparison.Ordinal) && t.EndsWith('>'))
            {
                var val = ParseType(t[4..^1], path, depth + 1);
                return val is null ? null : new SchemaNode { Type = "object", AdditionalProperties = val };
            }
            if (t.StartsWith("map[string]", StringComparison.Ordinal))
            {
                var val = ParseType(t[11..], path, depth + 1);
                return val is null ? null : new SchemaNode { Type = "object", AdditionalProperties = val };
            }
            if (IsIdentifier(t)) return ResolveCustom(t, path, depth);
            errors.Add(new StatusCause(path, CauseReasons.Invalid, $"unknown type \"{t}\""));
            return null;
        }

        private SchemaNode? ResolveCustom(string name, string path, int depth)
        {
            if (_resolved.TryGetValue(name, out var done)) return done;
            if (types is null || !types.TryGetPropertyValue(name, out var def))
            {
                errors.Add(new StatusCause(path, CauseReasons.NotFound, $"unknown type \"{name}\" (not a built-in type and not declared in schema.types)"));
                return null;
            }
            if (!_resolving.Add(name))
            {
                errors.Add(new StatusCause(path, CauseReasons.Invalid, $"type \"{name}\" refers to itself"));
                return null;
            }
            var node = ParseField(def, $"schema.types.{name}", depth + 1);
            _resolving.Remove(name);
            _resolved[name] = node;
            return node;
        }

        private void ApplyMarkers(SchemaNode node, string text, string path)
        {
            foreach (var (key, raw) in SplitMarkers(text, path))
            {
                if (key.StartsWith("oc:", StringComparison.Ordinal)) continue;
                try
                {
                    switch (key)
                    {
                        case "default":
                            node.Default = ParseValue(raw, node);
                            node.HasDefault = true;
                            break;
                        case "enum":
                            node.Enum = ParseEnum(raw, node);
                            break;
                        case "minimum": node.Minimum = ParseDouble(raw); break;
                        case "maximum": node.Maximum = ParseDouble(raw); break;
                        case "exclusiveMinimum": node.ExclusiveMinimum = ParseBool(raw); break;
                        case "exclusiveMaximum": node.ExclusiveMaximum = ParseBool(raw); break;
                        case "multipleOf": node.MultipleOf = ParseDouble(raw); break;
                        case "minItems": node.MinItems = ParseLong(raw); break;
                        case "maxItems": node.MaxItems = ParseLong(raw); break;
                        case "uniqueItems": node.UniqueItems = ParseBool(raw); break;
                        case "minLength": node.MinLength = ParseLong(raw); break;
                        case "maxLength": node.MaxLength = ParseLong(raw); break;
                        case "minProperties": node.MinProperties = ParseLong(raw); break;
                        case "maxProperties": node.MaxProperties = ParseLong(raw); break;
                        case "pattern":
                            node.Pattern = Unquote(raw);
                            _ = new System.Text.RegularExpressions.Regex(node.Pattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
                            break;
                        case "description": node.Description = Unquote(raw); break;
                        case "example": node.Example = ParseValue(raw, node); break;
                        case "required":
                            errors.Add(new StatusCause(path, CauseReasons.NotSupported,
                                "marker \"required\" is not supported: a field is required unless it has a default"));
                            break;
                        default:
                            errors.Add(new StatusCause(path, CauseReasons.NotSupported, $"unknown marker \"{key}\""));
                            break;
                    }
                }
                catch (FormatException e)
                {
                    errors.Add(new StatusCause(path, CauseReasons.Invalid, $"marker {key}: {e.Message}"));
                }
                catch (ArgumentException e)
                {
                    errors.Add(new StatusCause(path, CauseReasons.Invalid, $"marker {key}: invalid regular expression: {e.Message}"));
                }
            }
        }

        private IEnumerable<(string Key, string Value)> SplitMarkers(string text, string path)
        {
            var result = new List<(string, string)>();
            int i = 0;
            while (i < text.Length)
            {
                while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
                if (i >= text.Length) break;
                int keyStart = i;
                while (i < text.Length && text[i] != '=' && !char.IsWhiteSpace(text[i])) i++;
                var key = text[keyStart..i];
                if (i >= text.Length || text[i] != '=')
                {
                    // A bare flag (e.g. "uniqueItems") means true.
                    result.Add((key, "true"));
                    continue;
                }
                i++; // '='
                int valStart = i;
                if (i < text.Length && (text[i] == '"' || text[i] == '\''))
                {
                    char q = text[i++];
                    while (i < text.Length && text[i] != q)
                    {
                        if (text[i] == '\\') i++;
                        i++;
                    }
                    if (i >= text.Length)
                    {
                        errors.Add(new StatusCause(path, CauseReasons.Invalid, $"marker {key}: unterminated quoted value"));
                        return result;
                    }
                    i++;
                }
                else
                {
                    int nest = 0;
                    char? quote = null;
                    while (i < text.Length)
                    {
                        char c = text[i];
                        if (quote is { } qc) { if (c == '\\') i++; else if (c == qc) quote = null; }
                        else if (c is '"' or '\'') quote = c;
                        else if (c is '{' or '[') nest++;
                        else if (c is '}' or ']') nest--;
                        else if (nest <= 0 && char.IsWhiteSpace(c)) break;
                        i++;
                    }
                }
                result.Add((key, text[valStart..Math.Min(i, text.Length)]));
            }
            return result;
        }

        private static JsonNode? ParseValue(string raw, SchemaNode node)
        {
            switch (node.Type)
            {
                case "string":
                    return JsonValue.Create(Unquote(raw));
                case "integer":
                    return long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                        ? JsonValue.Create(l) : throw new FormatException($"\"{raw}\" is not an integer");
                case "number":
                    return JsonValue.Create(ParseDouble(raw));
                case "boolean":
                    return JsonValue.Create(ParseBool(raw));
                default:
                    try
                    {
                        return JsonNode.Parse(Unquote(raw));
                    }
                    catch (JsonException e)
                    {
                        throw new FormatException($"\"{raw}\" is not valid JSON: {e.Message}");
                    }
            }
        }

        private static List<JsonNode?> ParseEnum(string raw, SchemaNode node)
        {
            raw = Unquote(raw);
            if (raw.StartsWith('['))
            {
                try
                {
                    return [.. (JsonNode.Parse(raw) as JsonArray ?? throw new FormatException("not a list")).Select(n => n?.DeepClone())];
                }
                catch (JsonException e) { throw new FormatException($"\"{raw}\" is not a valid list: {e.Message}"); }
            }
            return [.. raw.Split(',').Select(s => ParseValue(s.Trim(), node))];
        }

        private static double ParseDouble(string raw) =>
            double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw new FormatException($"\"{raw}\" is not a number");

        private static long ParseLong(string raw) =>
            long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : throw new FormatException($"\"{raw}\" is not a non-negative integer");

        private static bool ParseBool(string raw) => raw switch
        {
            "true" => true,
            "false" => false,
            _ => throw new FormatException($"\"{raw}\" is not true or false"),
        };

        private static string Unquote(string raw)
        {
            if (raw.Length >= 2 && (raw[0] == '"' && raw[^1] == '"' || raw[0] == '\'' && raw[^1] == '\''))
            {
                var inner = raw[1..^1];
                if (inner.IndexOf('\\') < 0) return inner;
                var sb = new StringBuilder(inner.Length);
                for (int i = 0; i < inner.Length; i++)
                {
                    if (inner[i] == '\\' && i + 1 < inner.Length) i++;
                    sb.Append(inner[i]);
                }
                return sb.ToString();
            }
            return raw;
        }

        private void CheckDefault(SchemaNode node, string path)
        {
            // Defaults must themselves be valid (after their own nested defaults apply).
            var value = node.Default?.DeepClone();
            value = SchemaOps.ApplyDefaults(value, node);
            var causes = new List<StatusCause>();
            SchemaOps.Validate(value, node, path, causes);
            foreach (var c in causes) errors.Add(c with { Message = "default value is invalid: " + c.Message });
        }

        private static bool IsIdentifier(string s)
        {
            if (s.Length == 0 || !(char.IsAsciiLetter(s[0]) || s[0] == '_')) return false;
            foreach (var c in s) if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
            return true;
        }
    }

    internal static string Join(string path, string key)
    {
        if (path.Length == 0) return key;
        bool simple = key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '$');
        return simple ? $"{path}.{key}" : $"{path}[{JsonSerializer.Serialize(key)}]";
    }
}
