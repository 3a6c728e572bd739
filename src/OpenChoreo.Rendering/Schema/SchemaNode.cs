using System.Text.Json.Nodes;

namespace OpenChoreo.Rendering.Schema;

/// <summary>One node of a structural schema built from shorthand: a scalar, an array, a map or an object.</summary>
public sealed class SchemaNode
{
    /// <summary>string, integer, number, boolean, array or object.</summary>
    public required string Type { get; init; }

    /// <summary>Element schema of an array.</summary>
    public SchemaNode? Items { get; init; }

    /// <summary>Value schema of a map (object with arbitrary keys).</summary>
    public SchemaNode? AdditionalProperties { get; init; }

    /// <summary>Fields of an object, in declaration order; null for maps and scalars.</summary>
    public IReadOnlyDictionary<string, SchemaNode>? Properties { get; init; }

    /// <summary>Fields of <see cref="Properties"/> without a default.</summary>
    public IReadOnlyList<string> Required { get; init; } = [];

    public JsonNode? Default { get; set; }
    public bool HasDefault { get; set; }
    public IReadOnlyList<JsonNode?>? Enum { get; set; }
    public double? Minimum { get; set; }
    public double? Maximum { get; set; }
    public bool ExclusiveMinimum { get; set; }
    public bool ExclusiveMaximum { get; set; }
    public double? MultipleOf { get; set; }
    public long? MinItems { get; set; }
    public long? MaxItems { get; set; }
    public bool UniqueItems { get; set; }
    public long? MinLength { get; set; }
    public long? MaxLength { get; set; }
    public long? MinProperties { get; set; }
    public long? MaxProperties { get; set; }
    public string? Pattern { get; set; }
    public string? Description { get; set; }
    public JsonNode? Example { get; set; }

    public bool IsObject => Type == "object" && Properties is not null;
    public bool IsMap => Type == "object" && AdditionalProperties is not null;

    /// <summary>An empty object schema (no fields): what an absent schema section means.</summary>
    public static SchemaNode EmptyObject() => new() { Type = "object", Properties = new Dictionary<string, SchemaNode>() };

    /// <summary>A shallow copy sharing children, so markers can be set on a reused custom type.</summary>
    internal SchemaNode CloneShallow() => new()
    {
        Type = Type, Items = Items, AdditionalProperties = AdditionalProperties, Properties = Properties, Required = Required,
        Default = Default?.DeepClone(), HasDefault = HasDefault, Enum = Enum, Minimum = Minimum, Maximum = Maximum,
        ExclusiveMinimum = ExclusiveMinimum, ExclusiveMaximum = ExclusiveMaximum, MultipleOf = MultipleOf, MinItems = MinItems,
        MaxItems = MaxItems, UniqueItems = UniqueItems, MinLength = MinLength, MaxLength = MaxLength,
        MinProperties = MinProperties, MaxProperties = MaxProperties, Pattern = Pattern, Description = Description, Example = Example,
    };
}
