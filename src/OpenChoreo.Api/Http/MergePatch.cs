using System.Text.Json.Nodes;

namespace OpenChoreo.Api.Http;

/// <summary>RFC 7386 JSON merge patch: objects merge recursively, null removes a member, anything else replaces.</summary>
public static class MergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject) return patch?.DeepClone();
        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null) result.Remove(key);
            else result[key] = Apply(result[key]?.DeepClone(), value);
        }
        return result;
    }
}
