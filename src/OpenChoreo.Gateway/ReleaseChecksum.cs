using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Gateway;

/// <summary>
/// The checksum that identifies a Release's resource set on the wire: SHA-256 (hex) of <c>spec.resources</c> in a
/// canonical JSON form (object keys in ordinal order at every level), so equal content always compares equal.
/// </summary>
public static class ReleaseChecksum
{
    public static string Of(ResourceObject release) => Of(release.Spec?["resources"]);

    public static string Of(JsonNode? resources)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream)) Write(writer, resources ?? new JsonArray());
        return Convert.ToHexStringLower(SHA256.HashData(stream.GetBuffer().AsSpan(0, (int)stream.Length)));
    }

    private static void Write(Utf8JsonWriter w, JsonNode? node)
    {
        switch (node)
        {
            case null:
                w.WriteNullValue();
                break;
            case JsonObject o:
                w.WriteStartObject();
                foreach (var (k, v) in o.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    w.WritePropertyName(k);
                    Write(w, v);
                }
                w.WriteEndObject();
                break;
            case JsonArray a:
                w.WriteStartArray();
                foreach (var v in a) Write(w, v);
                w.WriteEndArray();
                break;
            default:
                node.WriteTo(w);
                break;
        }
    }
}
