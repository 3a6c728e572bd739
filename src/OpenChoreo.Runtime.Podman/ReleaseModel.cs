using System.Text;
using System.Text.Json.Nodes;

namespace OpenChoreo.Runtime.Podman;

/// <summary>A release's resources sorted by what the runtime does with them.</summary>
internal sealed class ReleaseModel
{
    public Dictionary<(string Ns, string Name), Dictionary<string, byte[]>> ConfigMaps { get; } = [];
    public Dictionary<(string Ns, string Name), Dictionary<string, byte[]>> Secrets { get; } = [];
    public List<WorkloadModel> Workloads { get; } = [];
    public List<CronJobModel> CronJobs { get; } = [];
    public List<ServiceModel> Services { get; } = [];
    public List<JsonObject> Routes { get; } = [];
    public List<ResourceStatus> NetworkPolicies { get; } = [];
    public List<ResourceStatus> Unsupported { get; } = [];
    public HashSet<string> Namespaces { get; } = new(StringComparer.Ordinal);

    public static ReleaseModel Parse(JsonArray resources, string defaultNamespace)
    {
        var model = new ReleaseModel();
        foreach (var node in resources)
        {
            if (node is not JsonObject r) continue;
            var kind = Str(r, "kind") ?? "";
            var meta = r["metadata"] as JsonObject;
            var name = Str(meta, "name") ?? "";
            var ns = Str(meta, "namespace") is { Length: > 0 } n ? n : defaultNamespace;
            model.Namespaces.Add(ns);
            switch (kind)
            {
                case "ConfigMap":
                    model.ConfigMaps[(ns, name)] = ReadData(r, binaryKey: "binaryData");
                    break;
                case "Secret":
                    model.Secrets[(ns, name)] = ReadData(r, binaryKey: "data", textKey: "stringData");
                    break;
                case "Deployment" or "StatefulSet" or "Job":
                    model.Workloads.Add(new WorkloadModel(kind, ns, name, r));
                    break;
                case "CronJob":
                    model.CronJobs.Add(new CronJobModel(ns, name, r));
                    break;
                case "Service":
                    model.Services.Add(ServiceModel.Parse(ns, name, r));
                    break;
                case "HTTPRoute":
                    model.Routes.Add(r);
                    break;
                case "NetworkPolicy":
                    model.NetworkPolicies.Add(NetworkPolicyCheck.Evaluate(ns, name, r));
                    break;
                default:
                    model.Unsupported.Add(new ResourceStatus(kind, ns, name, ResourceHealth.Unsupported, $"{kind} is not supported by the podman runtime"));
                    break;
            }
        }
        return model;
    }

    private static Dictionary<string, byte[]> ReadData(JsonObject r, string binaryKey, string textKey = "data")
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        // ConfigMap: data is text, binaryData base64. Secret: data is base64, stringData text (wins, as on Kubernetes).
        var isSecret = binaryKey == "data";
        if (!isSecret && r["data"] is JsonObject text)
            foreach (var (k, v) in text) result[k] = Encoding.UTF8.GetBytes(v?.GetValue<string>() ?? "");
        if (r[binaryKey] is JsonObject bin)
            foreach (var (k, v) in bin) result[k] = Convert.FromBase64String(v?.GetValue<string>() ?? "");
        if (isSecret && r[textKey] is JsonObject str)
            foreach (var (k, v) in str) result[k] = Encoding.UTF8.GetBytes(v?.GetValue<string>() ?? "");
        return result;
    }

    internal static string? Str(JsonNode? o, string key) => o is JsonObject obj && obj[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    internal static int Int(JsonNode? o, string key, int fallback) =>
        o is JsonObject obj && obj[key] is JsonValue v && v.TryGetValue<int>(out var i) ? i : fallback;

    internal static Dictionary<string, string> Map(JsonNode? o)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (o is JsonObject obj)
            foreach (var (k, v) in obj)
                if (v is JsonValue value && value.TryGetValue<string>(out var s)) result[k] = s;
        return result;
    }
}

/// <summary>A Deployment, StatefulSet or Job.</summary>
internal sealed record WorkloadModel(string Kind, string Namespace, string Name, JsonObject Resource)
{
    public string Id => $"{Kind}.{Namespace}.{Name}";
    public JsonObject Spec => Resource["spec"] as JsonObject ?? [];
    public JsonObject PodTemplate => Spec["template"] as JsonObject ?? [];
    public JsonObject PodSpec => PodTemplate["spec"] as JsonObject ?? [];
    public Dictionary<string, string> PodLabels => ReleaseModel.Map(PodTemplate["metadata"]?["labels"]);
    public Dictionary<string, string> Labels => ReleaseModel.Map(Resource["metadata"]?["labels"]);
    public int Replicas => Kind == "Job" ? 1 : ReleaseModel.Int(Spec, "replicas", 1);
}

internal sealed record ServicePortModel(string? Name, int Port, JsonNode? TargetPort);

internal sealed record ServiceModel(string Namespace, string Name, Dictionary<string, string> Selector, List<ServicePortModel> Ports)
{
    public string Id => $"Service.{Namespace}.{Name}";

    public static ServiceModel Parse(string ns, string name, JsonObject r)
    {
        var spec = r["spec"] as JsonObject;
        var ports = new List<ServicePortModel>();
        if (spec?["ports"] is JsonArray arr)
            foreach (var p in arr)
                ports.Add(new ServicePortModel(ReleaseModel.Str(p, "name"), ReleaseModel.Int(p, "port", 0), p?["targetPort"]?.DeepClone()));
        return new ServiceModel(ns, name, ReleaseModel.Map(spec?["selector"]), ports);
    }

    public bool Selects(WorkloadModel w) =>
        w.Kind != "Job" && Selector.Count > 0 && Selector.All(kv => w.PodLabels.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
