using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Rendering.Schema;

/// <summary>The parsed <c>spec.schema</c> of a ComponentType, Trait or ComponentWorkflow.</summary>
public sealed record ComponentSchemas(SchemaNode Parameters, SchemaNode EnvOverrides, SchemaNode? SystemParameters)
{
    /// <summary>Parses <c>spec.schema</c> (<c>types</c>, <c>parameters</c>, <c>envOverrides</c>, <c>systemParameters</c>).</summary>
    public static ComponentSchemas Parse(JsonObject? spec, List<StatusCause> errors)
    {
        var schema = spec?["schema"] as JsonObject;
        var types = schema?["types"] as JsonObject;
        if (schema?["types"] is { } t && t is not JsonObject)
            errors.Add(new StatusCause("spec.schema.types", CauseReasons.TypeInvalid, "must be a map of type names to field declarations"));
        var parameters = ShorthandSchema.Parse(schema?["parameters"], types, "spec.schema.parameters", errors);
        var envOverrides = ShorthandSchema.Parse(schema?["envOverrides"], types, "spec.schema.envOverrides", errors);
        var system = schema?["systemParameters"] is { } sp ? ShorthandSchema.Parse(sp, types, "spec.schema.systemParameters", errors) : null;
        return new ComponentSchemas(parameters, envOverrides, system);
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<JsonObject, Parsed> Cache = new();

    private sealed record Parsed(ComponentSchemas Schemas, IReadOnlyList<StatusCause> Errors);

    /// <summary>
    /// Like <see cref="Parse"/>, memoised per spec object: renderers see the same snapshot many times. The spec must
    /// not be modified afterwards (snapshots from a ComponentRelease never are).
    /// </summary>
    internal static ComponentSchemas ParseCached(JsonObject spec, List<StatusCause> errors)
    {
        var parsed = Cache.GetValue(spec, s =>
        {
            var e = new List<StatusCause>();
            return new Parsed(Parse(s, e), e);
        });
        errors.AddRange(parsed.Errors);
        return parsed.Schemas;
    }

    /// <summary>
    /// The JSON Schema of <c>spec.schema</c> for clients: <c>{type: object, properties: {parameters, envOverrides[, systemParameters]}}</c>.
    /// Throws <see cref="ApiException"/> (422) when the schema does not parse.
    /// </summary>
    public static JsonObject ToJsonSchema(JsonObject? spec)
    {
        var errors = new List<StatusCause>();
        var parsed = Parse(spec, errors);
        if (errors.Count > 0) throw ApiException.Invalid("schema", "spec.schema", errors);
        var props = new JsonObject
        {
            ["parameters"] = JsonSchemaWriter.ToJsonSchema(parsed.Parameters),
            ["envOverrides"] = JsonSchemaWriter.ToJsonSchema(parsed.EnvOverrides),
        };
        if (parsed.SystemParameters is { } s) props["systemParameters"] = JsonSchemaWriter.ToJsonSchema(s);
        return new JsonObject { ["type"] = "object", ["properties"] = props };
    }
}
