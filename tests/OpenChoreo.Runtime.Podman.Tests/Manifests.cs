using System.Text.Json.Nodes;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Runtime.Podman.Tests;

/// <summary>Kubernetes-shaped manifests as the platform renders them, trimmed to what the tests need.</summary>
internal static class Manifests
{
    public const string HttpdScript = "mkdir -p /www && echo \"$BODY\" > /www/index.html && exec /bin/busybox httpd -f -p 8080 -h /www";

    public static JsonObject Deployment(string ns, string name, int replicas = 1, string image = PodmanFixture.Image, string body = "ok",
        string? script = null, JsonObject? readiness = null, JsonArray? env = null, JsonArray? envFrom = null, JsonArray? mounts = null, JsonArray? volumes = null)
    {
        var container = new JsonObject
        {
            ["name"] = "main",
            ["image"] = image,
            ["command"] = new JsonArray("/bin/busybox", "sh", "-c", script ?? HttpdScript),
            ["env"] = env ?? new JsonArray(),
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["containerPort"] = 8080 }),
        };
        ((JsonArray)container["env"]!).Add(new JsonObject { ["name"] = "BODY", ["value"] = body });
        if (readiness is not null) container["readinessProbe"] = readiness;
        if (envFrom is not null) container["envFrom"] = envFrom;
        if (mounts is not null) container["volumeMounts"] = mounts;
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["labels"] = new JsonObject { ["openchoreo.dev/component"] = name, ["openchoreo.dev/project"] = "p1", ["openchoreo.dev/environment"] = "dev" },
            },
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } },
                    ["spec"] = new JsonObject { ["containers"] = new JsonArray(container), ["volumes"] = volumes ?? new JsonArray() },
                },
            },
        };
    }

    public static JsonObject HttpReadiness() => new()
    {
        ["httpGet"] = new JsonObject { ["path"] = "/", ["port"] = "http" },
        ["periodSeconds"] = 1,
    };

    public static JsonObject Service(string ns, string name, string app, int port = 80, int targetPort = 8080) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = new JsonObject
        {
            ["selector"] = new JsonObject { ["app"] = app },
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = port, ["targetPort"] = targetPort }),
        },
    };

    public static JsonObject ConfigMap(string ns, string name, params (string Key, string Value)[] data) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["data"] = new JsonObject(data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)JsonValue.Create(d.Value)))),
    };

    public static JsonObject Secret(string ns, string name, params (string Key, string Value)[] data) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["data"] = new JsonObject(data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)JsonValue.Create(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(d.Value)))))),
    };

    public static JsonObject Job(string ns, string name, string script, int backoffLimit = 6) => new()
    {
        ["apiVersion"] = "batch/v1",
        ["kind"] = "Job",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = new JsonObject
        {
            ["backoffLimit"] = backoffLimit,
            ["template"] = new JsonObject
            {
                ["spec"] = new JsonObject
                {
                    ["restartPolicy"] = "Never",
                    ["containers"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "job",
                        ["image"] = PodmanFixture.Image,
                        ["command"] = new JsonArray("/bin/busybox", "sh", "-c", script),
                    }),
                },
            },
        },
    };

    public static ApplyReleaseRequest Release(string name, long generation, params JsonObject[] resources) => new()
    {
        Name = name,
        Generation = generation,
        Checksum = "c" + generation,
        Resources = new JsonArray([.. resources]),
    };
}
