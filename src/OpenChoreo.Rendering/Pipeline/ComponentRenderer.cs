using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Naming;
using OpenChoreo.Rendering.Patching;
using OpenChoreo.Rendering.Schema;
using OpenChoreo.Rendering.Templates;

namespace OpenChoreo.Rendering.Pipeline;

/// <summary>
/// The component pipeline: ComponentType resources (<c>includeWhen</c> → <c>forEach</c> → render → strip omitted →
/// check), then each trait instance in Component order (<c>creates</c>, then <c>patches</c>), then the common labels,
/// then a stable sort by kind, apiVersion, namespace and name. Errors are returned, never thrown.
/// </summary>
public sealed class ComponentRenderer(TemplateEngine? engine = null)
{
    private readonly TemplateEngine _engine = engine ?? TemplateEngine.Default;

    public static ComponentRenderer Default { get; } = new();

    public RenderResult Render(ComponentRenderInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<StatusCause>();
        var ctSchemas = ComponentSchemas.ParseCached(input.ComponentTypeSpec, errors);
        if (errors.Count > 0) return RenderResult.Failed(Prefix(errors, "componentType"));

        var workload = WorkloadContext.ApplyOverrides(input.WorkloadSpec, input.ReleaseBindingSpec?["workloadOverrides"] as JsonObject);
        var configurations = WorkloadContext.BuildConfigurations(workload, input.SecretReferences, errors);
        var baseVars = new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["metadata"] = BuildMetadata(input),
            ["workload"] = WorkloadContext.BuildWorkload(workload),
            ["configurations"] = configurations,
            ["dataplane"] = new JsonObject
            {
                ["name"] = input.DataPlane.Name,
                ["secretStore"] = input.DataPlane.SecretStore,
                ["publicVirtualHost"] = input.DataPlane.PublicVirtualHost,
            },
            ["environment"] = BuildEnvironment(input.Environment),
        };
        var parameters = ParameterMerger.Merge(ctSchemas, input.ComponentSpec["parameters"] as JsonObject,
            input.ReleaseBindingSpec?["componentTypeEnvOverrides"] as JsonObject, "spec.parameters", "spec.componentTypeEnvOverrides", errors);
        if (errors.Count > 0) return RenderResult.Failed(errors);

        var resources = new List<(string Plane, JsonObject Obj)>();
        var vars = new Dictionary<string, JsonNode?>(baseVars, StringComparer.Ordinal) { ["parameters"] = parameters };
        try
        {
            RenderComponentType(input.ComponentTypeSpec, vars, resources);
        }
        catch (TemplateException e)
        {
            return RenderResult.Failed([e.Cause]);
        }

        if (input.ComponentSpec["traits"] is JsonArray traits)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < traits.Count; i++)
            {
                var t = traits[i] as JsonObject;
                var traitName = (string?)t?["name"] ?? "";
                var instance = (string?)t?["instanceName"] ?? traitName;
                var path = $"spec.traits[{i}]";
                if (!seen.Add(instance))
                    return RenderResult.Failed([new StatusCause(path + ".instanceName", CauseReasons.Duplicate, $"trait instance name \"{instance}\" is used more than once")]);
                if (!input.TraitSpecs.TryGetValue(traitName, out var traitSpec))
                    return RenderResult.Failed([new StatusCause(path + ".name", CauseReasons.NotFound, $"Trait \"{traitName}\" not found")]);
                var traitErrors = new List<StatusCause>();
                var traitSchemas = ComponentSchemas.ParseCached(traitSpec, traitErrors);
                if (traitErrors.Count > 0) return RenderResult.Failed(Prefix(traitErrors, $"traits[{traitName}]"));
                var overrides = input.ReleaseBindingSpec?["traitOverrides"]?[instance] as JsonObject;
                var traitParams = ParameterMerger.Merge(traitSchemas, t?["parameters"] as JsonObject, overrides,
                    path + ".parameters", $"spec.traitOverrides.{instance}", traitErrors);
                if (traitErrors.Count > 0) return RenderResult.Failed(traitErrors);
                var traitVars = new Dictionary<string, JsonNode?>(baseVars, StringComparer.Ordinal)
                {
                    ["parameters"] = traitParams,
                    ["trait"] = new JsonObject { ["name"] = traitName, ["instanceName"] = instance },
                };
                try
                {
                    ApplyTrait(traitSpec, $"traits[{instance}]", traitVars, resources);
                }
                catch (TemplateException e)
                {
                    return RenderResult.Failed([e.Cause]);
                }
            }
        }

        foreach (var (_, obj) in resources)
        {
            if (obj["metadata"] is not JsonObject meta) obj["metadata"] = meta = new JsonObject();
            if (meta["labels"] is not JsonObject labels) meta["labels"] = labels = new JsonObject();
            labels["openchoreo.dev/component"] = input.ComponentName;
            labels["openchoreo.dev/environment"] = input.Environment.Name;
            labels["openchoreo.dev/project"] = input.ProjectName;
        }

        var output = resources
            .Select(r => new RenderedResource(NameGenerator.ResourceId((string?)r.Obj["kind"] ?? "", (string?)r.Obj["metadata"]?["name"] ?? ""), r.Plane, r.Obj))
            .OrderBy(r => r.Kind, StringComparer.Ordinal)
            .ThenBy(r => r.ApiVersion, StringComparer.Ordinal)
            .ThenBy(r => r.Namespace, StringComparer.Ordinal)
            .ThenBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
        return new RenderResult(output, []);
    }

    private void RenderComponentType(JsonObject spec, Dictionary<string, JsonNode?> vars, List<(string, JsonObject)> into)
    {
        if (spec["resources"] is not JsonArray list) return;
        for (int i = 0; i < list.Count; i++)
        {
            var path = $"componentType.spec.resources[{i}]";
            if (list[i] is not JsonObject res) throw new TemplateException(path, "must be a map");
            if ((string?)res["includeWhen"] is { } when && !_engine.EvaluateCondition(when, vars, path + ".includeWhen")) continue;
            var plane = PlaneOf(res, path);
            foreach (var itemVars in Iterate(res, vars, path))
            {
                var obj = RenderObject(res["template"], itemVars, path + ".template");
                if (obj is not null) into.Add((plane, obj));
            }
        }
    }

    private void ApplyTrait(JsonObject spec, string prefix, Dictionary<string, JsonNode?> vars, List<(string Plane, JsonObject Obj)> resources)
    {
        if (spec["creates"] is JsonArray creates)
        {
            for (int i = 0; i < creates.Count; i++)
            {
                var path = $"{prefix}.spec.creates[{i}]";
                if (creates[i] is not JsonObject c) throw new TemplateException(path, "must be a map");
                var plane = PlaneOf(c, path);
                if ((string?)c["includeWhen"] is { } when && !_engine.EvaluateCondition(when, vars, path + ".includeWhen")) continue;
                foreach (var itemVars in Iterate(c, vars, path))
                {
                    var obj = RenderObject(c["template"], itemVars, path + ".template");
                    if (obj is not null) resources.Add((plane, obj));
                }
            }
        }
        if (spec["patches"] is not JsonArray patches) return;
        for (int i = 0; i < patches.Count; i++)
        {
            var path = $"{prefix}.spec.patches[{i}]";
            if (patches[i] is not JsonObject p) throw new TemplateException(path, "must be a map");
            var plane = PlaneOf(p, path);
            var target = p["target"] as JsonObject ?? throw new TemplateException(path + ".target", "required value");
            string group = (string?)target["group"] ?? "", version = (string?)target["version"] ?? "", kind = (string?)target["kind"] ?? "";
            var where = (string?)target["where"];
            var ops = p["operations"] as JsonArray ?? [];
            foreach (var itemVars in Iterate(p, vars, path))
            {
                foreach (var (resPlane, obj) in resources)
                {
                    if (resPlane != plane || (string?)obj["kind"] != kind) continue;
                    var (g, v) = SplitApiVersion((string?)obj["apiVersion"] ?? "");
                    if (g != group || (version.Length > 0 && v != version)) continue;
                    if (where is not null)
                    {
                        var whereVars = new Dictionary<string, JsonNode?>(itemVars, StringComparer.Ordinal) { ["resource"] = obj };
                        if (!_engine.EvaluateCondition(where, whereVars, path + ".target.where")) continue;
                    }
                    for (int k = 0; k < ops.Count; k++)
                    {
                        var opPath = $"{path}.operations[{k}]";
                        if (ops[k] is not JsonObject op) throw new TemplateException(opPath, "must be a map");
                        var opName = (string?)op["op"] ?? throw new TemplateException(opPath + ".op", "required value");
                        var rawPath = (string?)op["path"] ?? throw new TemplateException(opPath + ".path", "required value");
                        var pointer = _engine.RenderText(rawPath, itemVars, opPath + ".path");
                        JsonNode? value = null;
                        if (opName != "remove")
                        {
                            if (!op.ContainsKey("value")) throw new TemplateException(opPath + ".value", "required value");
                            value = _engine.Render(op["value"], itemVars, opPath + ".value");
                        }
                        try
                        {
                            JsonPatcher.Apply(obj, opName, pointer, value);
                        }
                        catch (PatchException e)
                        {
                            throw new TemplateException(new StatusCause(opPath, CauseReasons.Invalid,
                                $"cannot patch {obj["kind"]} \"{obj["metadata"]?["name"]}\": {e.Message}"));
                        }
                    }
                }
            }
        }
    }

    /// <summary>The variable sets of a <c>forEach</c> (one per item, bound to <c>var</c>, default <c>item</c>), or the vars as-is.</summary>
    private IEnumerable<Dictionary<string, JsonNode?>> Iterate(JsonObject entry, Dictionary<string, JsonNode?> vars, string path)
    {
        if ((string?)entry["forEach"] is not { } forEach)
        {
            yield return vars;
            yield break;
        }
        var varName = (string?)entry["var"] is { Length: > 0 } v ? v : "item";
        var items = _engine.EvaluateValue(forEach, vars, path + ".forEach");
        IEnumerable<JsonNode?> sequence = items switch
        {
            JsonArray a => a,
            JsonObject o => o.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => (JsonNode?)new JsonObject { ["key"] = kv.Key, ["value"] = kv.Value?.DeepClone() }).ToList(),
            null => [],
            _ => throw new TemplateException(path + ".forEach", "must evaluate to a list or a map"),
        };
        foreach (var item in sequence)
            yield return new Dictionary<string, JsonNode?>(vars, StringComparer.Ordinal) { [varName] = item };
    }

    private JsonObject? RenderObject(JsonNode? template, Dictionary<string, JsonNode?> vars, string path)
    {
        if (template is not JsonObject) throw new TemplateException(path, "required value: a resource template (map)");
        var rendered = _engine.Render(template, vars, path);
        if (rendered is null) return null;
        if (rendered is not JsonObject obj) throw new TemplateException(path, "must render to a map");
        foreach (var (field, value) in new[] { ("apiVersion", obj["apiVersion"]), ("kind", obj["kind"]), ("metadata.name", obj["metadata"]?["name"]) })
        {
            if (value is not JsonValue jv || !jv.TryGetValue(out string? s) || string.IsNullOrEmpty(s))
                throw new TemplateException(new StatusCause(path + "." + field, CauseReasons.Required, $"the rendered resource has no {field}"));
        }
        return obj;
    }

    private static string PlaneOf(JsonObject entry, string path)
    {
        var plane = (string?)entry["targetPlane"] ?? TargetPlanes.DataPlane;
        if (plane is not (TargetPlanes.DataPlane or TargetPlanes.ObservabilityPlane))
            throw new TemplateException(new StatusCause(path + ".targetPlane", CauseReasons.NotSupported,
                $"\"{plane}\" is not a target plane (expected dataplane or observabilityplane)"));
        return plane;
    }

    internal static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        int slash = apiVersion.IndexOf('/');
        return slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
    }

    /// <summary>The <c>metadata</c> variable: names, UIDs, labels, annotations and pod selectors.</summary>
    public static JsonObject BuildMetadata(ComponentRenderInput input)
    {
        var annotations = new JsonObject();
        foreach (var (k, v) in input.Annotations) annotations[k] = v;
        return new JsonObject
        {
            ["name"] = NameGenerator.ResourceName(input.ComponentName, input.Environment.Name),
            ["namespace"] = NameGenerator.CellNamespace(input.Organization, input.ProjectName, input.Environment.Name),
            ["componentName"] = input.ComponentName,
            ["componentUID"] = input.ComponentUid,
            ["projectName"] = input.ProjectName,
            ["projectUID"] = input.ProjectUid,
            ["environmentName"] = input.Environment.Name,
            ["environmentUID"] = input.Environment.Uid,
            ["dataPlaneName"] = input.DataPlane.Name,
            ["dataPlaneUID"] = input.DataPlane.Uid,
            ["labels"] = new JsonObject
            {
                ["openchoreo.dev/organization"] = input.Organization,
                ["openchoreo.dev/project"] = input.ProjectName,
                ["openchoreo.dev/component"] = input.ComponentName,
                ["openchoreo.dev/environment"] = input.Environment.Name,
            },
            ["annotations"] = annotations,
            ["podSelectors"] = new JsonObject
            {
                ["openchoreo.dev/component-uid"] = input.ComponentUid,
                ["openchoreo.dev/environment-uid"] = input.Environment.Uid,
                ["openchoreo.dev/project-uid"] = input.ProjectUid,
            },
        };
    }

    private static JsonObject BuildEnvironment(EnvironmentInfo env)
    {
        var o = (JsonObject?)env.Spec?.DeepClone() ?? new JsonObject();
        o["name"] = env.Name;
        o["uid"] = env.Uid;
        return o;
    }

    private static IEnumerable<StatusCause> Prefix(IEnumerable<StatusCause> errors, string prefix) =>
        errors.Select(e => e with { Field = string.IsNullOrEmpty(e.Field) ? prefix : $"{prefix}.{e.Field}" });
}
