using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using OpenChoreo.Api.Http;
using OpenChoreo.Model;

namespace OpenChoreo.Api.Resources;

/// <summary>API discovery documents, shaped like Kubernetes' APIGroupList and APIResourceList.</summary>
internal static class Discovery
{
    private static readonly string[] Verbs = ["create", "delete", "get", "list", "patch", "update", "watch"];

    public static Task Groups(HttpContext c) => BodyCodec.WriteAsync(c, new JsonObject
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(new JsonObject
        {
            ["name"] = KindRegistry.Group,
            ["versions"] = new JsonArray(new JsonObject { ["groupVersion"] = KindRegistry.GroupVersion, ["version"] = KindRegistry.Version }),
            ["preferredVersion"] = new JsonObject { ["groupVersion"] = KindRegistry.GroupVersion, ["version"] = KindRegistry.Version },
        }),
    });

    public static Task Resources(HttpContext c)
    {
        var resources = new JsonArray();
        foreach (var k in KindRegistry.Default.All)
        {
            resources.Add(new JsonObject
            {
                ["name"] = k.Plural,
                ["singularName"] = k.Singular,
                ["namespaced"] = k.Namespaced,
                ["kind"] = k.Kind,
                ["verbs"] = new JsonArray(Verbs.Select(v => (JsonNode?)v).ToArray()),
                ["shortNames"] = new JsonArray(k.ShortNames.Select(s => (JsonNode?)s).ToArray()),
            });
            if (k.StatusSubresource)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = k.Plural + "/status",
                    ["singularName"] = "",
                    ["namespaced"] = k.Namespaced,
                    ["kind"] = k.Kind,
                    ["verbs"] = new JsonArray("get", "update"),
                });
            }
        }
        return BodyCodec.WriteAsync(c, new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = KindRegistry.GroupVersion,
            ["resources"] = resources,
        });
    }
}
