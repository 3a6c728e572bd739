using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Rendering.Pipeline;

/// <summary>
/// Builds the <c>workload</c> and <c>configurations</c> template variables from a Workload spec after applying the
/// ReleaseBinding's <c>workloadOverrides</c> (env and file entries merged by key).
/// </summary>
public static class WorkloadContext
{
    /// <summary>A copy of <paramref name="workloadSpec"/> with <paramref name="overrides"/> (<c>workloadOverrides</c>) applied.</summary>
    public static JsonObject ApplyOverrides(JsonObject? workloadSpec, JsonObject? overrides)
    {
        var merged = (JsonObject?)workloadSpec?.DeepClone() ?? new JsonObject();
        if (overrides?["containers"] is not JsonObject overrideContainers) return merged;
        if (merged["containers"] is not JsonObject containers) merged["containers"] = containers = new JsonObject();
        foreach (var (name, o) in overrideContainers)
        {
            if (o is not JsonObject oc) continue;
            if (containers[name] is not JsonObject c)
            {
                containers[name] = oc.DeepClone();
                continue;
            }
            foreach (var field in new[] { "env", "files" })
                if (oc[field] is JsonArray items) c[field] = MergeByKey(c[field] as JsonArray, items);
        }
        return merged;
    }

    private static JsonArray MergeByKey(JsonArray? baseItems, JsonArray overrides)
    {
        var result = new JsonArray();
        var pending = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var o in overrides) if (o is JsonObject && (string?)o["key"] is { } k) pending[k] = o;
        foreach (var b in baseItems ?? [])
        {
            if ((string?)b?["key"] is { } k && pending.Remove(k, out var replacement)) result.Add(replacement.DeepClone());
            else result.Add(b?.DeepClone());
        }
        foreach (var o in overrides)
            if ((string?)o?["key"] is { } k && pending.Remove(k)) result.Add(o!.DeepClone());
        return result;
    }

    /// <summary><c>workload</c>: <c>containers[name]{image, command, args}</c>, <c>endpoints</c>, <c>connections</c>.</summary>
    public static JsonObject BuildWorkload(JsonObject workload)
    {
        var containers = new JsonObject();
        if (workload["containers"] is JsonObject cs)
        {
            foreach (var (name, c) in cs)
            {
                var entry = new JsonObject { ["image"] = c?["image"]?.DeepClone() ?? "" };
                if (c?["command"] is JsonArray cmd) entry["command"] = cmd.DeepClone();
                if (c?["args"] is JsonArray args) entry["args"] = args.DeepClone();
                containers[name] = entry;
            }
        }
        return new JsonObject
        {
            ["containers"] = containers,
            ["endpoints"] = workload["endpoints"]?.DeepClone() ?? new JsonObject(),
            ["connections"] = workload["connections"]?.DeepClone() ?? new JsonObject(), // a map keyed by connection name, as in the Workload CRD
        };
    }

    /// <summary>
    /// <c>configurations[container]</c>: plain values under <c>configs</c>, secret references under <c>secrets</c> with
    /// their <c>remoteRef</c> resolved through the named SecretReference's <c>data[].secretKey</c>.
    /// </summary>
    public static JsonObject BuildConfigurations(JsonObject workload, IReadOnlyList<JsonObject> secretReferences, List<StatusCause> errors)
    {
        var result = new JsonObject();
        if (workload["containers"] is not JsonObject cs) return result;
        var refs = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var r in secretReferences) if ((string?)r["metadata"]?["name"] is { } n) refs[n] = r;
        foreach (var (name, c) in cs)
        {
            var configEnvs = new JsonArray();
            var configFiles = new JsonArray();
            var secretEnvs = new JsonArray();
            var secretFiles = new JsonArray();
            if (c?["env"] is JsonArray envs)
            {
                for (int i = 0; i < envs.Count; i++)
                {
                    var e = envs[i];
                    var key = (string?)e?["key"] ?? "";
                    var path = $"workload.containers.{name}.env[{i}]";
                    if (e?["valueFrom"]?["secretRef"] is JsonObject sr)
                    {
                        if (Resolve(sr, refs, path, errors) is { } remote) secretEnvs.Add(new JsonObject { ["name"] = key, ["remoteRef"] = remote });
                    }
                    else
                    {
                        configEnvs.Add(new JsonObject { ["name"] = key, ["value"] = e?["value"]?.DeepClone() ?? "" });
                    }
                }
            }
            if (c?["files"] is JsonArray files)
            {
                for (int i = 0; i < files.Count; i++)
                {
                    var f = files[i];
                    var key = (string?)f?["key"] ?? "";
                    var mountPath = f?["mountPath"]?.DeepClone() ?? "";
                    var path = $"workload.containers.{name}.files[{i}]";
                    if (f?["valueFrom"]?["secretRef"] is JsonObject sr)
                    {
                        if (Resolve(sr, refs, path, errors) is { } remote)
                            secretFiles.Add(new JsonObject { ["name"] = key, ["mountPath"] = mountPath, ["remoteRef"] = remote });
                    }
                    else
                    {
                        configFiles.Add(new JsonObject { ["name"] = key, ["mountPath"] = mountPath, ["value"] = f?["value"]?.DeepClone() ?? "" });
                    }
                }
            }
            result[name] = new JsonObject
            {
                ["configs"] = new JsonObject { ["envs"] = configEnvs, ["files"] = configFiles },
                ["secrets"] = new JsonObject { ["envs"] = secretEnvs, ["files"] = secretFiles },
            };
        }
        return result;
    }

    private static JsonObject? Resolve(JsonObject secretRef, Dictionary<string, JsonObject> refs, string path, List<StatusCause> errors)
    {
        var refName = (string?)secretRef["name"] ?? "";
        var refKey = (string?)secretRef["key"] ?? "";
        if (!refs.TryGetValue(refName, out var reference))
        {
            errors.Add(new StatusCause(path + ".valueFrom.secretRef.name", CauseReasons.NotFound, $"SecretReference \"{refName}\" not found"));
            return null;
        }
        if (reference["spec"]?["data"] is JsonArray data)
        {
            foreach (var d in data)
            {
                if ((string?)d?["secretKey"] == refKey && d?["remoteRef"] is JsonObject remote)
                {
                    var r = new JsonObject { ["key"] = remote["key"]?.DeepClone() };
                    if (remote["property"] is { } p) r["property"] = p.DeepClone();
                    if (remote["version"] is { } v) r["version"] = v.DeepClone();
                    return r;
                }
            }
        }
        errors.Add(new StatusCause(path + ".valueFrom.secretRef.key", CauseReasons.NotFound, $"SecretReference \"{refName}\" has no data entry with secretKey \"{refKey}\""));
        return null;
    }
}
