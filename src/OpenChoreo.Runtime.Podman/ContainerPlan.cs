using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenChoreo.Runtime.Podman;

/// <summary>A file the container sees through a bind mount; secret files are written 0600.</summary>
internal sealed record PlannedFile(string RelativePath, byte[] Content, bool Secret);

/// <summary>Everything needed to create the containers of one workload revision; the hash names the revision.</summary>
internal sealed class ContainerPlan
{
    public required string Hash { get; init; }
    public required string Image { get; init; }
    public List<string>? Entrypoint { get; init; }
    public List<string>? Cmd { get; init; }
    public required List<string> Env { get; init; }
    /// <summary>Directory (relative to the runtime's file root) → files; mounted at the listed targets.</summary>
    public required List<(string Dir, List<PlannedFile> Files, string Target, string? SubPath)> FileMounts { get; init; }
    public required List<(string Volume, string Target, bool ReadOnly, bool Persistent)> VolumeMounts { get; init; }
    public required SortedSet<int> Ports { get; init; }
    public JsonObject? Readiness { get; init; }
    public JsonObject? Liveness { get; init; }
    public string? WorkingDir { get; init; }
    public List<string> Problems { get; } = [];

    public static ContainerPlan Build(WorkloadModel w, ReleaseModel model, IEnumerable<int> extraPorts)
    {
        var pod = w.PodSpec;
        var containers = pod["containers"] as JsonArray ?? [];
        var c = containers.Count > 0 ? containers[0] as JsonObject ?? [] : [];
        var problems = new List<string>();
        if (containers.Count == 0) problems.Add("the pod template has no container");
        if (containers.Count > 1) problems.Add("only one container per pod is supported");
        if (pod["initContainers"] is JsonArray { Count: > 0 }) problems.Add("init containers are not supported");

        var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hasher.AppendData(Encoding.UTF8.GetBytes(w.PodTemplate.ToJsonString()));

        var env = new List<string>();
        if (c["envFrom"] is JsonArray envFrom)
            foreach (var src in envFrom)
            {
                var prefix = ReleaseModel.Str(src, "prefix") ?? "";
                if (Lookup(model, w.Namespace, src?["configMapRef"], src?["secretRef"], problems) is { } data)
                    foreach (var (k, v) in data.OrderBy(kv => kv.Key, StringComparer.Ordinal)) env.Add($"{prefix}{k}={Encoding.UTF8.GetString(v)}");
            }
        if (c["env"] is JsonArray envs)
            foreach (var e in envs)
            {
                var name = ReleaseModel.Str(e, "name") ?? "";
                if (ReleaseModel.Str(e, "value") is { } value) { env.Add($"{name}={value}"); continue; }
                var from = e?["valueFrom"];
                if (from?["fieldRef"] is JsonObject field)
                {
                    var path = ReleaseModel.Str(field, "fieldPath");
                    env.Add($"{name}={(path == "metadata.namespace" ? w.Namespace : path == "metadata.name" ? w.Name : "")}");
                    continue;
                }
                var keyRef = from?["configMapKeyRef"] ?? from?["secretKeyRef"];
                var isSecret = from?["secretKeyRef"] is not null;
                var refName = ReleaseModel.Str(keyRef, "name") ?? "";
                var key = ReleaseModel.Str(keyRef, "key") ?? "";
                var optional = keyRef?["optional"] is JsonValue ov && ov.TryGetValue<bool>(out var o) && o;
                var source = isSecret ? model.Secrets.GetValueOrDefault((w.Namespace, refName)) : model.ConfigMaps.GetValueOrDefault((w.Namespace, refName));
                if (source is not null && source.TryGetValue(key, out var bytes)) env.Add($"{name}={Encoding.UTF8.GetString(bytes)}");
                else if (!optional) problems.Add($"env {name}: {(isSecret ? "Secret" : "ConfigMap")} {refName} has no key {key}");
            }
        foreach (var e in env) hasher.AppendData(Encoding.UTF8.GetBytes(e + "\n"));

        var volumes = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (pod["volumes"] is JsonArray vols)
            foreach (var v in vols)
                if (v is JsonObject vo && ReleaseModel.Str(vo, "name") is { } vn) volumes[vn] = vo;

        var fileMounts = new List<(string, List<PlannedFile>, string, string?)>();
        var volumeMounts = new List<(string, string, bool, bool)>();
        if (c["volumeMounts"] is JsonArray mounts)
            foreach (var m in mounts)
            {
                var vname = ReleaseModel.Str(m, "name") ?? "";
                var target = ReleaseModel.Str(m, "mountPath") ?? "";
                var subPath = ReleaseModel.Str(m, "subPath");
                var readOnly = m?["readOnly"] is JsonValue rv && rv.TryGetValue<bool>(out var ro) && ro;
                if (!volumes.TryGetValue(vname, out var vol)) { problems.Add($"volume mount {vname}: no such volume"); continue; }
                if (vol["configMap"] is JsonObject || vol["secret"] is JsonObject)
                {
                    var isSecret = vol["secret"] is not null;
                    var refName = isSecret ? ReleaseModel.Str(vol["secret"], "secretName") : ReleaseModel.Str(vol["configMap"], "name");
                    var data = isSecret ? model.Secrets.GetValueOrDefault((w.Namespace, refName ?? "")) : model.ConfigMaps.GetValueOrDefault((w.Namespace, refName ?? ""));
                    if (data is null) { problems.Add($"volume {vname}: {(isSecret ? "Secret" : "ConfigMap")} {refName} not found"); continue; }
                    var files = new List<PlannedFile>();
                    var items = (isSecret ? vol["secret"] : vol["configMap"])?["items"] as JsonArray;
                    if (items is { Count: > 0 })
                    {
                        foreach (var item in items)
                            if (data.TryGetValue(ReleaseModel.Str(item, "key") ?? "", out var bytes))
                                files.Add(new PlannedFile(ReleaseModel.Str(item, "path") ?? ReleaseModel.Str(item, "key")!, bytes, isSecret));
                    }
                    else files.AddRange(data.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new PlannedFile(kv.Key, kv.Value, isSecret)));
                    foreach (var f in files)
                    {
                        hasher.AppendData(Encoding.UTF8.GetBytes(f.RelativePath));
                        hasher.AppendData(SHA256.HashData(f.Content));
                    }
                    fileMounts.Add(($"{(isSecret ? "secret" : "configmap")}-{w.Namespace}-{refName}", files, target, subPath));
                }
                else if (vol["persistentVolumeClaim"] is JsonObject pvc)
                    volumeMounts.Add(($"oc-{w.Namespace}-{ReleaseModel.Str(pvc, "claimName")}", target, readOnly, true));
                else if (vol["emptyDir"] is JsonObject)
                    volumeMounts.Add(("", target, false, false));
                else problems.Add($"volume {vname}: only configMap, secret, emptyDir and persistentVolumeClaim are supported");
            }

        var ports = new SortedSet<int>(extraPorts);
        if (c["ports"] is JsonArray cps)
            foreach (var p in cps) if (ReleaseModel.Int(p, "containerPort", 0) is > 0 and var cp) ports.Add(cp);
        var readiness = c["readinessProbe"] as JsonObject;
        var liveness = c["livenessProbe"] as JsonObject;
        foreach (var probe in (JsonObject?[])[readiness, liveness])
            if (ProbePort(probe, c) is > 0 and var pp) ports.Add(pp);
        foreach (var p in ports) hasher.AppendData(BitConverter.GetBytes(p));

        var plan = new ContainerPlan
        {
            Hash = Convert.ToHexStringLower(hasher.GetHashAndReset())[..10],
            Image = ReleaseModel.Str(c, "image") ?? "",
            Entrypoint = Strings(c["command"]),
            Cmd = Strings(c["args"]),
            Env = env,
            FileMounts = fileMounts,
            VolumeMounts = volumeMounts,
            Ports = ports,
            Readiness = readiness,
            Liveness = liveness,
            WorkingDir = ReleaseModel.Str(c, "workingDir"),
        };
        plan.Problems.AddRange(problems);
        if (plan.Image.Length == 0) plan.Problems.Add("the container has no image");
        return plan;
    }

    /// <summary>The container port an HTTP or TCP probe targets (named ports resolved against the container's ports).</summary>
    public static int ProbePort(JsonObject? probe, JsonObject container)
    {
        var port = (probe?["httpGet"] ?? probe?["tcpSocket"])?["port"];
        return ResolvePort(port, container);
    }

    public static int ResolvePort(JsonNode? port, JsonObject container)
    {
        if (port is JsonValue v)
        {
            if (v.TryGetValue<int>(out var n)) return n;
            if (v.TryGetValue<string>(out var s))
            {
                if (int.TryParse(s, out n)) return n;
                if (container["ports"] is JsonArray ports)
                    foreach (var p in ports)
                        if (ReleaseModel.Str(p, "name") == s) return ReleaseModel.Int(p, "containerPort", 0);
            }
        }
        return 0;
    }

    private static Dictionary<string, byte[]>? Lookup(ReleaseModel model, string ns, JsonNode? cmRef, JsonNode? secretRef, List<string> problems)
    {
        var isSecret = secretRef is not null;
        var name = ReleaseModel.Str(isSecret ? secretRef : cmRef, "name") ?? "";
        var data = isSecret ? model.Secrets.GetValueOrDefault((ns, name)) : model.ConfigMaps.GetValueOrDefault((ns, name));
        if (data is null) problems.Add($"envFrom: {(isSecret ? "Secret" : "ConfigMap")} {name} not found");
        return data;
    }

    private static List<string>? Strings(JsonNode? node) =>
        node is JsonArray a ? [.. a.Select(x => x?.GetValue<string>() ?? "")] : null;
}
