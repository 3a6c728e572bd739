using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenChoreo.Validation.Schema;

/// <summary>Turns a CRD <c>openAPIV3Schema</c> into a <see cref="SchemaNode"/> tree.</summary>
internal static class SchemaCompiler
{
    private const int MaxSchemaDepth = 128;

    public static SchemaNode Compile(JsonObject schema, TimeSpan patternTimeout) => Build(schema, patternTimeout, 0);

    private static SchemaNode Build(JsonObject s, TimeSpan timeout, int depth)
    {
        if (depth > MaxSchemaDepth) throw new InvalidOperationException($"schema nests deeper than {MaxSchemaDepth} levels");

        FrozenDictionary<string, SchemaNode>? properties = null;
        if (s["properties"] is JsonObject props)
        {
            properties = props.ToFrozenDictionary(
                p => p.Key, p => Build(p.Value as JsonObject ?? [], timeout, depth + 1), StringComparer.Ordinal);
        }

        SchemaNode? additional = null;
        bool additionalAllowed = false, additionalForbidden = false;
        switch (s["additionalProperties"])
        {
            case JsonObject ap:
                additional = Build(ap, timeout, depth + 1);
                break;
            case JsonValue b when b.GetValueKind() == JsonValueKind.True:
                additionalAllowed = true;
                break;
            case JsonValue b when b.GetValueKind() == JsonValueKind.False:
                additionalForbidden = true;
                break;
        }

        var pattern = Str(s, "pattern");
        var (regex, patternError) = pattern is null ? (null, null) : PatternCache.Get(pattern, timeout);

        var (min, exMin) = Bound(s, "minimum", "exclusiveMinimum");
        var (max, exMax) = Bound(s, "maximum", "exclusiveMaximum");

        var node = new SchemaNode
        {
            Type = Str(s, "type"),
            Nullable = Bool(s, "nullable"),
            PreserveUnknownFields = Bool(s, "x-kubernetes-preserve-unknown-fields"),
            IntOrString = Bool(s, "x-kubernetes-int-or-string"),
            EmbeddedResource = Bool(s, "x-kubernetes-embedded-resource"),
            Properties = properties,
            Required = Strings(s["required"]),
            AdditionalProperties = additional,
            AdditionalPropertiesAllowed = additionalAllowed,
            AdditionalPropertiesForbidden = additionalForbidden,
            Items = s["items"] is JsonObject items ? Build(items, timeout, depth + 1) : null,
            Enum = s["enum"] is JsonArray e ? e.Select(v => v?.DeepClone()).ToArray() : null,
            Pattern = pattern,
            PatternRegex = regex,
            PatternError = patternError,
            Format = Str(s, "format"),
            Minimum = min,
            Maximum = max,
            ExclusiveMinimum = exMin,
            ExclusiveMaximum = exMax,
            MultipleOf = Num(s, "multipleOf"),
            MinLength = Long(s, "minLength"),
            MaxLength = Long(s, "maxLength"),
            MinItems = Long(s, "minItems"),
            MaxItems = Long(s, "maxItems"),
            MinProperties = Long(s, "minProperties"),
            MaxProperties = Long(s, "maxProperties"),
            UniqueItems = Bool(s, "uniqueItems"),
            ListType = Str(s, "x-kubernetes-list-type"),
            ListMapKeys = Strings(s["x-kubernetes-list-map-keys"]),
            AllOf = SubSchemas(s["allOf"], timeout, depth),
            AnyOf = SubSchemas(s["anyOf"], timeout, depth),
            OneOf = SubSchemas(s["oneOf"], timeout, depth),
            Not = s["not"] is JsonObject not ? Build(not, timeout, depth + 1) : null,
            Default = s["default"]?.DeepClone(),
            HasDefault = s.ContainsKey("default"),
            Rules = Rules(s["x-kubernetes-validations"]),
        };

        var children = (properties?.Values ?? Enumerable.Empty<SchemaNode>())
            .Concat(additional is null ? [] : [additional])
            .Concat(node.Items is null ? [] : [node.Items])
            .ToArray();
        node.HasRulesBelow = node.Rules.Count > 0 || children.Any(c => c.HasRulesBelow);
        return node;
    }

    private static IReadOnlyList<SchemaNode> SubSchemas(JsonNode? n, TimeSpan timeout, int depth) =>
        n is JsonArray a ? a.OfType<JsonObject>().Select(o => Build(o, timeout, depth + 1)).ToArray() : [];

    private static IReadOnlyList<RuleSpec> Rules(JsonNode? n) =>
        n is JsonArray a
            ? a.OfType<JsonObject>().Where(r => Str(r, "rule") is not null).Select(r => new RuleSpec
            {
                Rule = Str(r, "rule")!,
                Message = Str(r, "message"),
                MessageExpression = Str(r, "messageExpression"),
                FieldPath = Str(r, "fieldPath"),
                Reason = Str(r, "reason"),
                OptionalOldSelf = Bool(r, "optionalOldSelf"),
            }).ToArray()
            : [];

    // OpenAPI 3.0 writes exclusiveMinimum as a flag next to minimum; 3.1 as the bound itself. Accept both.
    private static (double?, bool) Bound(JsonObject s, string bound, string exclusive)
    {
        var value = Num(s, bound);
        return s[exclusive] switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.True => (value, true),
            JsonValue v when v.GetValueKind() == JsonValueKind.Number && JsonTypes.TryGetDouble(v, out var d) => (d, true),
            _ => (value, false),
        };
    }

    private static string? Str(JsonObject o, string key) => JsonTypes.IsString(o[key], out var s) ? s : null;

    private static bool Bool(JsonObject o, string key) =>
        o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    private static double? Num(JsonObject o, string key) => JsonTypes.TryGetDouble(o[key], out var d) ? d : null;

    private static long? Long(JsonObject o, string key) => Num(o, key) is { } d ? (long)d : null;

    private static IReadOnlyList<string> Strings(JsonNode? n) =>
        n is JsonArray a ? a.Select(v => JsonTypes.IsString(v, out var s) ? s : null).OfType<string>().ToArray() : [];
}
