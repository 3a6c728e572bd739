using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Schema;

namespace OpenChoreo.Rendering.Pipeline;

/// <summary>
/// The upstream parameter merge: <c>parameters</c> = developer values pruned to <c>schema.parameters</c> with
/// defaults; <c>envOverrides</c> = deep-merge(developer values, per-environment overrides) pruned to
/// <c>schema.envOverrides</c> with defaults; the result is the shallow merge of the two.
/// </summary>
public static class ParameterMerger
{
    public static JsonObject Merge(ComponentSchemas schemas, JsonObject? values, JsonObject? overrides, string valuesPath, string overridesPath, List<StatusCause> errors)
    {
        var parameters = SchemaOps.Normalize(values, schemas.Parameters, valuesPath, errors);
        var envSource = (JsonObject?)values?.DeepClone() ?? new JsonObject();
        if (overrides is not null) DeepMerge(envSource, overrides);
        var envOverrides = SchemaOps.Normalize(envSource, schemas.EnvOverrides, overrides is null ? valuesPath : overridesPath, errors);
        foreach (var (k, v) in envOverrides.ToList())
        {
            envOverrides.Remove(k);
            parameters[k] = v;
        }
        return parameters;
    }

    /// <summary>Merges <paramref name="overlay"/> into <paramref name="target"/>: maps recursively, anything else replaced.</summary>
    public static void DeepMerge(JsonObject target, JsonObject overlay)
    {
        foreach (var (k, v) in overlay)
        {
            if (v is JsonObject ov && target[k] is JsonObject tv) DeepMerge(tv, ov);
            else target[k] = v?.DeepClone();
        }
    }
}
