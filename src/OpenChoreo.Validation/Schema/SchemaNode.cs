using System.Collections.Frozen;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OpenChoreo.Validation.Schema;

/// <summary>
/// One node of a structural OpenAPI v3 schema, read once from the CRD's JSON into typed fields so validation never
/// re-parses the schema. Patterns are compiled here; rules are compiled lazily by the rule validator and cached here.
/// </summary>
internal sealed class SchemaNode
{
    public string? Type { get; init; }
    public bool Nullable { get; init; }
    public bool PreserveUnknownFields { get; init; }
    public bool IntOrString { get; init; }
    public bool EmbeddedResource { get; init; }

    public FrozenDictionary<string, SchemaNode>? Properties { get; init; }
    public IReadOnlyList<string> Required { get; init; } = [];

    /// <summary>Schema of map values (<c>additionalProperties: {…}</c>).</summary>
    public SchemaNode? AdditionalProperties { get; init; }

    /// <summary><c>additionalProperties: true</c>: any value allowed for keys not in properties.</summary>
    public bool AdditionalPropertiesAllowed { get; init; }

    /// <summary><c>additionalProperties: false</c> written explicitly.</summary>
    public bool AdditionalPropertiesForbidden { get; init; }

    public SchemaNode? Items { get; init; }

    public IReadOnlyList<JsonNode?>? Enum { get; init; }
    public string? Pattern { get; init; }
    public Regex? PatternRegex { get; init; }
    public string? PatternError { get; init; }
    public string? Format { get; init; }

    public double? Minimum { get; init; }
    public double? Maximum { get; init; }
    public bool ExclusiveMinimum { get; init; }
    public bool ExclusiveMaximum { get; init; }
    public double? MultipleOf { get; init; }
    public long? MinLength { get; init; }
    public long? MaxLength { get; init; }
    public long? MinItems { get; init; }
    public long? MaxItems { get; init; }
    public long? MinProperties { get; init; }
    public long? MaxProperties { get; init; }
    public bool UniqueItems { get; init; }

    /// <summary><c>x-kubernetes-list-type</c>: atomic, set or map.</summary>
    public string? ListType { get; init; }
    public IReadOnlyList<string> ListMapKeys { get; init; } = [];

    /// <summary>Value-validation-only sub-schemas (structural schemas allow these without types or defaults).</summary>
    public IReadOnlyList<SchemaNode> AllOf { get; init; } = [];
    public IReadOnlyList<SchemaNode> AnyOf { get; init; } = [];
    public IReadOnlyList<SchemaNode> OneOf { get; init; } = [];
    public SchemaNode? Not { get; init; }

    public JsonNode? Default { get; init; }
    public bool HasDefault { get; init; }

    /// <summary>The <c>x-kubernetes-validations</c> rules of this node.</summary>
    public IReadOnlyList<RuleSpec> Rules { get; init; } = [];

    /// <summary>Whether this node or any node below it has rules (lets the rule pass skip whole subtrees).</summary>
    public bool HasRulesBelow { get; set; }

    /// <summary>The schema of a child field or map value, or null when the key is unknown.</summary>
    public SchemaNode? ChildSchema(string key) =>
        Properties is not null && Properties.TryGetValue(key, out var p) ? p : AdditionalProperties;
}

/// <summary>One <c>x-kubernetes-validations</c> entry; its compiled form is cached on first use.</summary>
internal sealed class RuleSpec
{
    public required string Rule { get; init; }
    public string? Message { get; init; }
    public string? MessageExpression { get; init; }
    public string? FieldPath { get; init; }
    public string? Reason { get; init; }
    public bool OptionalOldSelf { get; init; }

    // Compiled lazily by RuleValidator; benign race (both threads compile the same thing).
    internal object? Compiled;
    internal object? CompiledMessage;
}
