using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Schema;
using OpenChoreo.Rendering.Templates;

namespace OpenChoreo.Rendering.Admission;

/// <summary>
/// Admission checks for ComponentTypes, Traits and Components, as plain functions returning field-pathed causes
/// (empty when valid). The API wires them into its admission chain.
/// </summary>
public static class RenderingAdmission
{
    private static readonly string[] WorkloadTypes = ["deployment", "statefulset", "cronjob", "job", "proxy"];

    /// <summary>
    /// ComponentType: schemas parse, no key in both <c>parameters</c> and <c>envOverrides</c>, a resource whose id is
    /// the workload type, well-formed templates, and every CEL expression compiles.
    /// </summary>
    public static IReadOnlyList<StatusCause> ValidateComponentType(JsonObject componentType, TemplateEngine? engine = null)
    {
        engine ??= TemplateEngine.Default;
        var errors = new List<StatusCause>();
        var spec = componentType["spec"] as JsonObject;
        if (spec is null) return [new StatusCause("spec", CauseReasons.Required, "required value")];
        CheckSchemas(spec, errors);

        var workloadType = (string?)(spec["workloadType"] as JsonValue);
        if (workloadType is null) errors.Add(new StatusCause("spec.workloadType", CauseReasons.Required, "required value"));
        else if (!WorkloadTypes.Contains(workloadType))
            errors.Add(new StatusCause("spec.workloadType", CauseReasons.NotSupported, $"supported values: {string.Join(", ", WorkloadTypes.Select(w => $"\"{w}\""))}"));

        var resources = spec["resources"] as JsonArray;
        if (resources is null || resources.Count == 0)
        {
            errors.Add(new StatusCause("spec.resources", CauseReasons.Required, "at least one resource is required"));
            return errors;
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < resources.Count; i++)
        {
            var path = $"spec.resources[{i}]";
            if (resources[i] is not JsonObject r)
            {
                errors.Add(new StatusCause(path, CauseReasons.TypeInvalid, "must be a map"));
                continue;
            }
            var id = (string?)(r["id"] as JsonValue);
            if (string.IsNullOrEmpty(id)) errors.Add(new StatusCause($"{path}.id", CauseReasons.Required, "required value"));
            else if (!ids.Add(id)) errors.Add(new StatusCause($"{path}.id", CauseReasons.Duplicate, $"id \"{id}\" is used by another resource"));
            TemplateChecks.CheckTargetPlane(r, path, errors);
            TemplateChecks.CheckCondition(r, "includeWhen", path, errors, engine);
            TemplateChecks.CheckForEach(r, path, errors, engine, varRequired: true);
            TemplateChecks.CheckTemplate(r["template"], $"{path}.template", errors, engine);
        }
        if (workloadType is not null && workloadType != "proxy" && !ids.Contains(workloadType))
            errors.Add(new StatusCause("spec.resources", CauseReasons.Required,
                $"a resource with id \"{workloadType}\" (the workload type) is required"));
        return errors;
    }

    /// <summary>Trait: schemas parse without overlap; creates and patches are well formed and their CEL compiles.</summary>
    public static IReadOnlyList<StatusCause> ValidateTrait(JsonObject trait, TemplateEngine? engine = null)
    {
        engine ??= TemplateEngine.Default;
        var errors = new List<StatusCause>();
        var spec = trait["spec"] as JsonObject;
        if (spec is null) return [new StatusCause("spec", CauseReasons.Required, "required value")];
        CheckSchemas(spec, errors);
        if (spec["creates"] is JsonArray creates)
        {
            for (int i = 0; i < creates.Count; i++)
            {
                var path = $"spec.creates[{i}]";
                if (creates[i] is not JsonObject c)
                {
                    errors.Add(new StatusCause(path, CauseReasons.TypeInvalid, "must be a map"));
                    continue;
                }
                TemplateChecks.CheckTargetPlane(c, path, errors);
                TemplateChecks.CheckCondition(c, "includeWhen", path, errors, engine);
                TemplateChecks.CheckForEach(c, path, errors, engine, varRequired: false);
                TemplateChecks.CheckTemplate(c["template"], $"{path}.template", errors, engine);
            }
        }
        if (spec["patches"] is JsonArray patches)
        {
            for (int i = 0; i < patches.Count; i++)
            {
                var path = $"spec.patches[{i}]";
                if (patches[i] is not JsonObject p)
                {
                    errors.Add(new StatusCause(path, CauseReasons.TypeInvalid, "must be a map"));
                    continue;
                }
                TemplateChecks.CheckTargetPlane(p, path, errors);
                TemplateChecks.CheckForEach(p, path, errors, engine, varRequired: false);
                if (p["target"] is not JsonObject target)
                {
                    errors.Add(new StatusCause($"{path}.target", CauseReasons.Required, "required value"));
                }
                else
                {
                    if (target["group"] is null) errors.Add(new StatusCause($"{path}.target.group", CauseReasons.Required, "required value (\"\" for the core group)"));
                    if (string.IsNullOrEmpty((string?)(target["kind"] as JsonValue))) errors.Add(new StatusCause($"{path}.target.kind", CauseReasons.Required, "required value"));
                    if (string.IsNullOrEmpty((string?)(target["version"] as JsonValue))) errors.Add(new StatusCause($"{path}.target.version", CauseReasons.Required, "required value"));
                    TemplateChecks.CheckCondition(target, "where", $"{path}.target", errors, engine);
                }
                if (p["operations"] is not JsonArray ops || ops.Count == 0)
                {
                    errors.Add(new StatusCause($"{path}.operations", CauseReasons.Required, "at least one operation is required"));
                    continue;
                }
                for (int k = 0; k < ops.Count; k++)
                {
                    var opPath = $"{path}.operations[{k}]";
                    if (ops[k] is not JsonObject op)
                    {
                        errors.Add(new StatusCause(opPath, CauseReasons.TypeInvalid, "must be a map"));
                        continue;
                    }
                    var name = (string?)(op["op"] as JsonValue);
                    if (name is not ("add" or "replace" or "remove" or "mergeShallow"))
                        errors.Add(new StatusCause($"{opPath}.op", CauseReasons.NotSupported, "supported values: \"add\", \"replace\", \"remove\", \"mergeShallow\""));
                    if ((string?)(op["path"] as JsonValue) is not { Length: > 0 } opPathText || opPathText[0] != '/')
                        errors.Add(new StatusCause($"{opPath}.path", CauseReasons.Invalid, "must be a JSON Pointer starting with '/'"));
                    else
                        engine.CheckString(opPathText, $"{opPath}.path", errors);
                    if (name is "add" or "replace" or "mergeShallow" && !op.ContainsKey("value"))
                        errors.Add(new StatusCause($"{opPath}.value", CauseReasons.Required, $"required for {name}"));
                    if (name == "mergeShallow" && op["value"] is not null and not JsonObject)
                        errors.Add(new StatusCause($"{opPath}.value", CauseReasons.TypeInvalid, "mergeShallow needs a map value"));
                    engine.Check(op["value"], $"{opPath}.value", errors);
                }
            }
        }
        return errors;
    }

    /// <summary>
    /// Component: trait instance names are unique; when the ComponentType spec is given, parameters are valid against
    /// its schema (envOverride fields are type-checked but may be left to each environment's ReleaseBinding).
    /// Trait instance parameters are checked the same way when the trait specs are given.
    /// </summary>
    public static IReadOnlyList<StatusCause> ValidateComponent(JsonObject component, JsonObject? componentTypeSpec = null,
        IReadOnlyDictionary<string, JsonObject>? traitSpecs = null)
    {
        var errors = new List<StatusCause>();
        var spec = component["spec"] as JsonObject;
        if (spec is null) return [new StatusCause("spec", CauseReasons.Required, "required value")];
        if (componentTypeSpec is not null)
            CheckParameters(componentTypeSpec, spec["parameters"] as JsonObject, "spec.parameters", errors);
        if (spec["traits"] is JsonArray traits)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < traits.Count; i++)
            {
                var path = $"spec.traits[{i}]";
                var instance = (string?)(traits[i]?["instanceName"] as JsonValue);
                var name = (string?)(traits[i]?["name"] as JsonValue);
                if (string.IsNullOrEmpty(instance)) errors.Add(new StatusCause($"{path}.instanceName", CauseReasons.Required, "required value"));
                else if (!seen.Add(instance)) errors.Add(new StatusCause($"{path}.instanceName", CauseReasons.Duplicate, $"trait instance name \"{instance}\" is used more than once"));
                if (name is not null && traitSpecs?.TryGetValue(name, out var traitSpec) == true)
                    CheckParameters(traitSpec, traits[i]?["parameters"] as JsonObject, $"{path}.parameters", errors);
            }
        }
        return errors;
    }

    private static void CheckParameters(JsonObject typeSpec, JsonObject? values, string path, List<StatusCause> errors)
    {
        var schemaErrors = new List<StatusCause>();
        var schemas = ComponentSchemas.Parse(typeSpec, schemaErrors);
        if (schemaErrors.Count > 0) return; // the type itself is broken: its own admission reports that
        SchemaOps.Normalize(values, schemas.Parameters, path, errors);
        var env = (JsonObject?)values?.DeepClone() ?? new JsonObject();
        SchemaOps.Prune(env, schemas.EnvOverrides);
        SchemaOps.ApplyDefaults(env, schemas.EnvOverrides);
        SchemaOps.Validate(env, schemas.EnvOverrides, path, errors, requireFields: false);
    }

    private static void CheckSchemas(JsonObject spec, List<StatusCause> errors)
    {
        ComponentSchemas.Parse(spec, errors);
        if (spec["schema"]?["parameters"] is JsonObject p && spec["schema"]?["envOverrides"] is JsonObject e)
            foreach (var (key, _) in p)
                if (e.ContainsKey(key))
                    errors.Add(new StatusCause($"spec.schema.envOverrides.{key}", CauseReasons.Duplicate,
                        $"\"{key}\" is declared in both parameters and envOverrides"));
    }
}
